import os
from tests.deep import m2
