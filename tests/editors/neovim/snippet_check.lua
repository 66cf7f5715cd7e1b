-- Sourced after a README set-up snippet ran as init.lua and the file was opened:
--   nvim --headless -u init.lua -i NONE FILE -S snippet_check.lua
-- Waits for the Flash LSP client the snippet started; writes {version, client, root_dir,
-- diagnostics, hover, errors} as JSON to $CHECK_OUT and quits (assertions are the pytest's job).
local out = os.getenv('CHECK_OUT')
local timeout = tonumber(os.getenv('CHECK_TIMEOUT_MS') or '60000')
local hover_line = tonumber(os.getenv('CHECK_HOVER_LINE') or '0')
local hover_col = tonumber(os.getenv('CHECK_HOVER_COL') or '0')
local v = vim.version()
local result = { errors = {}, diagnostics = {}, version = string.format('%d.%d.%d', v.major, v.minor, v.patch) }
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients

local ok, err = pcall(function()
  local buf = vim.api.nvim_get_current_buf()
  local function has_fl101()
    for _, d in ipairs(vim.diagnostic.get(buf)) do if d.code == 'FL101' then return true end end
    return false
  end
  if not vim.wait(timeout, has_fl101, 50) then table.insert(result.errors, 'timeout waiting for the FL101 diagnostic') end
  vim.wait(1000, function() return false end, 50) -- anything else of the same analysis arrives meanwhile
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { code = d.code, lnum = d.lnum, message = d.message })
  end
  for _, c in pairs(get_clients()) do
    result.client = c.name
    result.root_dir = c.config.root_dir
  end
  local resp = vim.lsp.buf_request_sync(buf, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = hover_line, character = hover_col },
  }, timeout)
  for _, r in pairs(resp or {}) do
    if r.err then table.insert(result.errors, 'hover: ' .. vim.inspect(r.err)) end
    if r.result then result.hover = r.result.contents end
  end
end)
if not ok then table.insert(result.errors, tostring(err)) end
local f = assert(io.open(out, 'w'))
f:write(vim.fn.json_encode(result))
f:close()
for _, c in pairs(get_clients()) do c.stop() end
vim.wait(3000, function() return #get_clients() == 0 end, 50)
vim.cmd('qa!')
