;;; eglot-e2e.el --- runs the eglot set-up of docs/editors.md  -*- lexical-binding: t -*-
;; Emacs (batch) with eglot: loads PHPLEAK_SNIPPET (taken from docs/editors.md), opens
;; PHPLEAK_FILE in a stand-in php-mode, connects, waits for phpleak's diagnostics, and writes
;; "LINE TEXT" lines to PHPLEAK_OUT. Flymake may not publish in batch mode, so eglot's own store
;; of the received diagnostics is read when Flymake has none.
(require 'eglot)
(define-derived-mode php-mode prog-mode "PHP")
(load (getenv "PHPLEAK_SNIPPET"))
(find-file (getenv "PHPLEAK_FILE"))
(php-mode)
(apply #'eglot (eglot--guess-contact))
(defun phpleak-test-diags () (or (flymake-diagnostics) eglot--diagnostics))
(let ((deadline (+ (float-time) 20)))
  (while (and (null (phpleak-test-diags)) (< (float-time) deadline))
    (accept-process-output nil 0.1)))
(with-temp-file (getenv "PHPLEAK_OUT")
  (dolist (d (with-current-buffer (get-file-buffer (getenv "PHPLEAK_FILE")) (phpleak-test-diags)))
    (insert (format "%d %s\n"
                    (with-current-buffer (flymake-diagnostic-buffer d) (line-number-at-pos (flymake-diagnostic-beg d)))
                    (car (split-string (flymake-diagnostic-text d) "\n"))))))
(kill-emacs 0)
