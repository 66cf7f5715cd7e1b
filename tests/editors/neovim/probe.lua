-- Headless Neovim (0.7.2+) as the Flash LSP client: the real vim.lsp client, no plugins.
-- Usage: PROBE_CONFIG=config.json nvim --headless --clean -S probe.lua
-- config: { cmd = [...], init_options = {...}, settings = {...}, timeout_ms = n,
--           out = "result.json",
--           analyse = { root = dir, file = path, hover = {line, col} },      -- 0-based position
--           build   = { root = dir, file = path, command = "flash.build" } }
-- Writes one JSON object to `out` and exits 0 (assertions are the pytest's job).
local config = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv('PROBE_CONFIG')), '\n'))
local timeout = config.timeout_ms or 60000
local result = { errors = {}, messages = {}, progress = {}, notifications = {} }
local build_output, build_finished = {}, nil

local function note(method)
  return function(_, params)
    result.notifications[method] = (result.notifications[method] or 0) + 1
    if method == 'flash/buildOutput' then table.insert(build_output, params.line) end
    if method == 'flash/buildFinished' then build_finished = params end
    if method == 'flash/indexStatus' then result.last_index_status = params end
  end
end

local function start(root)
  local id = vim.lsp.start_client({
    name = 'flash-lsp',
    cmd = config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ':t') } },
    init_options = config.init_options,
    settings = config.settings,
    handlers = {
      ['window/showMessage'] = function(_, res) table.insert(result.messages, res.message) end,
      ['$/progress'] = function(err, res, ctx, cfg)
        local v = res.value or {}
        table.insert(result.progress, { token = tostring(res.token), kind = v.kind, title = v.title, message = v.message, cancellable = v.cancellable })
        return vim.lsp.handlers['$/progress'](err, res, ctx, cfg)
      end,
      ['flash/modelChanged'] = note('flash/modelChanged'),
      ['flash/indexStatus'] = note('flash/indexStatus'),
      ['flash/buildOutput'] = note('flash/buildOutput'),
      ['flash/buildFinished'] = note('flash/buildFinished'),
    },
    on_exit = function(code, signal) result.server_exit = { code = code, signal = signal } end,
  })
  assert(id, 'start_client failed')
  return id
end

local function open(path, client_id)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'python'
  vim.lsp.buf_attach_client(bufnr, client_id)
  return bufnr
end

local function request(bufnr, client_id, method, params)
  local resp = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
  local r = resp and resp[client_id]
  if r == nil then error(method .. ': timeout') end
  if r.err then error(method .. ': ' .. vim.inspect(r.err)) end
  return r.result
end

local function stop_all()
  for _, c in pairs(vim.lsp.get_active_clients()) do c.stop() end
  vim.wait(3000, function() return #vim.lsp.get_active_clients() == 0 end, 50)
end

-- 1. diagnostics + hover on the hello project
local ok, err = pcall(function()
  local a = config.analyse
  local started = vim.loop.now()
  local id = start(a.root)
  local bufnr = open(a.file, id)
  local got = vim.wait(timeout, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do if d.code == 'FL101' then return true end end
    return false
  end, 50)
  result.diagnostics_ms = vim.loop.now() - started
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, severity = d.severity, message = d.message, source = d.source, code = d.code })
  end
  if not got then table.insert(result.errors, 'timeout waiting for the FL101 diagnostic') end
  if a.hover then
    local hbuf = open(a.hover.file, id)
    local h = request(hbuf, id, 'textDocument/hover', {
      textDocument = { uri = vim.uri_from_bufnr(hbuf) },
      position = { line = a.hover.line, character = a.hover.col },
    })
    result.hover = h and h.contents or vim.NIL
  end
  stop_all()
end)
if not ok then table.insert(result.errors, 'analyse: ' .. tostring(err)) end

-- 2. flash.build on the tiny project
ok, err = pcall(function()
  local b = config.build
  result.analyse_notifications = result.notifications
  result.notifications = {}
  local id = start(b.root)
  local bufnr = open(b.file, id)
  -- the server must know the project: wait for its first diagnostics pass / model
  vim.wait(timeout, function() return (result.notifications['flash/modelChanged'] or 0) > 0 end, 50)
  local started = vim.loop.now()
  result.progress = {}
  result.command_result = request(bufnr, id, 'workspace/executeCommand', {
    command = b.command,
    arguments = { { project = vim.uri_from_fname(b.root) } },
  })
  if not vim.wait(b.timeout_ms or 300000, function() return build_finished ~= nil end, 100) then
    table.insert(result.errors, 'timeout waiting for flash/buildFinished')
  end
  result.build_ms = vim.loop.now() - started
  result.build_finished = build_finished or vim.NIL
  result.build_output_tail = { unpack(build_output, math.max(1, #build_output - 15)) }
  result.build_output_lines = #build_output
  stop_all()
end)
if not ok then table.insert(result.errors, 'build: ' .. tostring(err)) end

local f = assert(io.open(config.out, 'w'))
f:write(vim.fn.json_encode(result))
f:close()
vim.cmd('qa!')
