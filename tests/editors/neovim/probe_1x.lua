-- Headless Neovim as a plain LSP client of a runpod-flash 1.x project opened with no settings at all:
-- the profile the server picked, its endpoints, diagnostics, a hover and the predicted size.
-- Usage: PROBE_CONFIG=config.json nvim --headless --clean -S probe_1x.lua
-- config: { cmd = [...], root = dir, file = path, hover = {line, col}, timeout_ms = n, out = "result.json" }
local config = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv('PROBE_CONFIG')), '\n'))
local timeout = config.timeout_ms or 60000
local result = { errors = {} }

local ok, err = pcall(function()
  local id = vim.lsp.start_client({
    name = 'flash-lsp', cmd = config.cmd, root_dir = config.root,
    workspace_folders = { { uri = vim.uri_from_fname(config.root), name = 'proj' } },
    handlers = { ['flash/bundleSizeChanged'] = function(_, params) result.size_changed = params end },
  })
  assert(id, 'start_client failed')
  vim.cmd('edit ' .. vim.fn.fnameescape(config.file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'python'
  vim.lsp.buf_attach_client(bufnr, id)
  local function ask(method, params)
    local resp = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
    local r = resp and resp[id]
    if r == nil then error(method .. ': timeout') end
    if r.err then error(method .. ': ' .. vim.inspect(r.err)) end
    return r.result
  end
  local waited = vim.wait(timeout, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  if not waited then table.insert(result.errors, 'timeout waiting for diagnostics') end
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, code = d.code, source = d.source, message = d.message })
  end
  result.endpoints = ask('flash/endpoints', {})
  local hover = ask('textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = config.hover.line, character = config.hover.col },
  })
  result.hover = hover and hover.contents or vim.NIL
  -- the size arrives as a notification once predicted; then the request returns the same answer
  vim.wait(timeout, function() return result.size_changed ~= nil and result.size_changed.archiveBytes ~= nil end, 50)
  result.size = ask('flash/bundleSize', { project = vim.uri_from_fname(config.root) })
  for _, c in pairs(vim.lsp.get_active_clients()) do c.stop() end
end)
if not ok then table.insert(result.errors, tostring(err)) end
local f = assert(io.open(config.out, 'w'))
f:write(vim.fn.json_encode(result))
f:close()
vim.cmd('qa!')
