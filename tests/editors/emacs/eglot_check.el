;;; eglot_check.el --- runs the README's eglot recipe in batch Emacs and records what eglot got
;; Usage: CHECK_RECIPE=recipe.el CHECK_FILE=x.py CHECK_OUT=out.json CHECK_HOVER="7,6" \
;;        emacs --batch -Q -l eglot_check.el
;; Writes {"version", "root", "diagnostics", "hover", "errors"} to CHECK_OUT (assertions are the
;; pytest's job). Debian's elpa-eglot lives in site-lisp/elpa and is activated as a user's
;; package.el set-up would.
(require 'package)
(setq package-directory-list '("/usr/share/emacs/site-lisp/elpa"))
(package-initialize)
(require 'json)
(require 'cl-lib)

(defvar check-diagnostics nil)
(defvar check-timeout (string-to-number (or (getenv "CHECK_TIMEOUT") "60")))

(defun check-wait (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

(let* ((file (expand-file-name (getenv "CHECK_FILE")))
       (out (getenv "CHECK_OUT"))
       (hover-at (mapcar #'string-to-number (split-string (getenv "CHECK_HOVER") ",")))
       (errors nil) (result nil) server)
  (condition-case err
      (progn
        (load (expand-file-name (getenv "CHECK_RECIPE")) nil t)
        (cl-defmethod eglot-handle-notification :before
          (_server (_method (eql textDocument/publishDiagnostics)) &key uri diagnostics &allow-other-keys)
          (when (string= (eglot--uri-to-path uri) file)
            (setq check-diagnostics (append diagnostics nil))))
        (find-file file)
        ;; eglot-ensure connects from the command loop, which batch Emacs does not run
        (run-hooks 'post-command-hook)
        (unless (check-wait (lambda () (eglot-current-server)) check-timeout)
          (error "eglot did not connect"))
        (setq server (eglot-current-server))
        (push (cons 'root (expand-file-name (project-root (eglot--project server)))) result)
        (unless (check-wait (lambda () (cl-some (lambda (d) (equal (plist-get d :code) "FL101")) check-diagnostics))
                            check-timeout)
          (push "timeout waiting for the FL101 diagnostic" errors))
        (push (cons 'diagnostics (vconcat check-diagnostics)) result)
        (let ((resp (jsonrpc-request server :textDocument/hover
                                     `(:textDocument (:uri ,(eglot--path-to-uri file))
                                       :position (:line ,(nth 0 hover-at) :character ,(nth 1 hover-at))))))
          (push (cons 'hover (plist-get resp :contents)) result)))
    (error (push (format "%S" err) errors)))
  (push (cons 'version emacs-version) result)
  (push (cons 'errors (vconcat (reverse errors))) result)
  (with-temp-file out (insert (json-encode result)))
  (when server (ignore-errors (eglot-shutdown server)))
  (kill-emacs 0))
