-- Heap evidence in Neovim (0.7+, headless, -u NONE): phpleak-lsp on a file whose workspace has
-- phpleak.json `heapDumps`; waits for the pushed diagnostics that carry heap evidence (a finding's
-- related "heap:" line or a heap-growth diagnostic), asks for the hover on the last
-- unbounded-cache finding if there is one, and writes what it saw to a JSON file.
-- Environment: PHPLEAK_SERVER, PHPLEAK_FILE, PHPLEAK_ROOT, PHPLEAK_OUT.

local out = {}
local function finish(err)
  out.error = err
  vim.fn.writefile({ vim.fn.json_encode(out) }, vim.env.PHPLEAK_OUT)
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.PHPLEAK_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'php'
  local client_id = vim.lsp.start_client({ name = 'phpleak', cmd = { 'node', vim.env.PHPLEAK_SERVER, '--stdio' }, root_dir = vim.env.PHPLEAK_ROOT })
  assert(client_id, 'the client did not start')
  vim.lsp.buf_attach_client(bufnr, client_id)

  local function diagnostics()
    return vim.tbl_map(function(d)
      local lsp = d.user_data and d.user_data.lsp or {}
      local related = {}
      for _, r in ipairs(lsp.relatedInformation or {}) do table.insert(related, r.message) end
      return { lnum = d.lnum, col = d.col, severity = d.severity, message = d.message, code = d.code or lsp.code, related = related }
    end, vim.diagnostic.get(bufnr))
  end
  local function has_evidence()
    for _, d in ipairs(diagnostics()) do
      if d.code == 'heap-growth' then return true end
      for _, m in ipairs(d.related) do
        if m:sub(1, 5) == 'heap:' then return true end
      end
    end
    return false
  end
  assert(vim.wait(30000, has_evidence, 20), 'no heap evidence within 30 s')
  out.diagnostics = diagnostics()

  local target
  for _, d in ipairs(out.diagnostics) do if d.code == 'unbounded-cache' then target = d end end
  if target then
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = target.lnum, character = target.col + 2 } }
  local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 10000)
  for _, r in pairs(res or {}) do
    if r.result and r.result.contents then out.hover = r.result.contents.value or r.result.contents end
  end
  end
  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
end)
finish(ok and vim.NIL or tostring(err))
