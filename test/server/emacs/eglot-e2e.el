;;; eglot-e2e.el --- runs the eglot set-up of docs/editors.md  -*- lexical-binding: t -*-
;; Emacs (batch) as a user starts it: the installed packages are activated (Debian's
;; elpa-php-mode and elpa-eglot; batch mode skips this step of an interactive start-up), the
;; user's init file (~/.emacs.d/init.el, holding the snippet of docs/editors.md) is loaded, then
;; PHPLEAK_FILE is visited (php-mode by its file name, nothing forced) and `M-x eglot' connects.
;; Waits for phpleak's diagnostics and writes "MODE <major-mode>" then "LINE TEXT" lines to
;; PHPLEAK_OUT. Flymake may not publish in batch mode, so eglot's own store of the received
;; diagnostics is read when Flymake has none.
(package-activate-all)
(load (expand-file-name "~/.emacs.d/init.el"))
(find-file (getenv "PHPLEAK_FILE"))
(let ((mode major-mode))
  (call-interactively #'eglot)
  (defun phpleak-test-diags () (or (flymake-diagnostics) eglot--diagnostics))
  (let ((deadline (+ (float-time) 20)))
    (while (and (null (phpleak-test-diags)) (< (float-time) deadline))
      (accept-process-output nil 0.1)))
  (with-temp-file (getenv "PHPLEAK_OUT")
    (insert (format "MODE %s\n" mode))
    (dolist (d (with-current-buffer (get-file-buffer (getenv "PHPLEAK_FILE")) (phpleak-test-diags)))
      (insert (format "%d %s\n"
                      (with-current-buffer (flymake-diagnostic-buffer d) (line-number-at-pos (flymake-diagnostic-beg d)))
                      (car (split-string (flymake-diagnostic-text d) "\n")))))))
(kill-emacs 0)
