X = 1
from docs import conf
