-- Runs the Neovim 0.7 set-up from docs/editors.md (PHPLEAK_SNIPPET) as a user's init would, opens
-- a PHP file, and writes the diagnostics Neovim shows to PHPLEAK_OUT.
local out = {}
local ok, err = pcall(function()
  dofile(vim.env.PHPLEAK_SNIPPET)
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.PHPLEAK_FILE))
  vim.bo.filetype = 'php'
  local bufnr = vim.api.nvim_get_current_buf()
  assert(vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20), 'no diagnostics within 20 s')
  out.diagnostics = vim.tbl_map(function(d)
    return { lnum = d.lnum, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) }
  end, vim.diagnostic.get(bufnr))
  out.clients = #vim.lsp.buf_get_clients(bufnr)
  vim.lsp.stop_client(vim.lsp.get_active_clients())
end)
out.error = ok and vim.NIL or tostring(err)
vim.fn.writefile({ vim.fn.json_encode(out) }, vim.env.PHPLEAK_OUT)
vim.cmd('qall!')
