-- End-to-end: Neovim (0.7+, headless, -u NONE) runs phpleak-lsp on a file, waits for the pushed
-- diagnostics, applies the preferred quick fix through vim.lsp.buf.code_action (the path a user's
-- mapping takes), waits for the re-published diagnostics, and writes what it saw to a JSON file.
-- Environment: PHPLEAK_SERVER (dist/server/main.js), PHPLEAK_FILE, PHPLEAK_ROOT, PHPLEAK_OUT, PHPLEAK_FIX_RULE.

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
  local client_id = vim.lsp.start_client({
    name = 'phpleak',
    cmd = { 'node', vim.env.PHPLEAK_SERVER, '--stdio' },
    root_dir = vim.env.PHPLEAK_ROOT,
  })
  assert(client_id, 'the client did not start')
  vim.lsp.buf_attach_client(bufnr, client_id)

  local function diagnostics()
    return vim.tbl_map(function(d)
      local lsp = d.user_data and d.user_data.lsp or {}
      return {
        lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col, severity = d.severity,
        source = d.source, message = d.message, code = d.code or lsp.code,
        href = lsp.codeDescription and lsp.codeDescription.href or vim.NIL,
      }
    end, vim.diagnostic.get(bufnr))
  end

  assert(vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20), 'no diagnostics within 20 s')
  local client = vim.lsp.get_client_by_id(client_id)
  out.server_name = client.name
  out.capabilities = {
    codeActionKinds = client.server_capabilities.codeActionProvider.codeActionKinds,
    diagnosticProvider = client.server_capabilities.diagnosticProvider ~= nil,
  }
  out.before = diagnostics()

  -- The quick fix: cursor on the finding, preferred action of the rule, applied by Neovim.
  local rule = vim.env.PHPLEAK_FIX_RULE
  local target
  for _, d in ipairs(out.before) do if d.code == rule then target = d end end
  assert(target, 'no ' .. rule .. ' diagnostic')
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
  local changedtick = vim.api.nvim_buf_get_var(bufnr, 'changedtick')
  -- Neovim lists the actions with vim.ui.select (0.7 has no `filter`/`apply`): pick the preferred
  -- one as a user would, and record the menu.
  vim.ui.select = function(items, _, on_choice)
    out.menu = {}
    local pick
    for i, item in ipairs(items) do
      local action = item.action or item[2]
      table.insert(out.menu, action.title)
      if action.isPreferred and not pick then pick = i end
    end
    on_choice(items[pick], pick)
  end
  vim.lsp.buf.code_action()
  assert(vim.wait(10000, function() return vim.api.nvim_buf_get_var(bufnr, 'changedtick') ~= changedtick end, 20), 'the quick fix did not change the buffer')
  out.fixed_lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)

  -- Neovim sends didChange; the server re-analyses and pushes again.
  local gone = vim.wait(20000, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      if code == rule then return false end
    end
    return #vim.diagnostic.get(bufnr) > 0
  end, 20)
  out.rule_gone = gone
  out.after = diagnostics()

  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
end)

finish(not ok and tostring(err) or vim.NIL)
