/*
 * sandbox.h: what a worker may do once it is set up: who it runs as (the
 * `user` option) and which system calls it may make (the `sandbox`
 * option). The worker calls both, in this order, after its listening
 * socket, its TLS context, its database connections and its logs exist.
 */
#ifndef PIPELINED_SANDBOX_H
#define PIPELINED_SANDBOX_H

#include "../util/config.h"

/* Started as root: continues as user (the `user` option for a worker,
 * `key_manager_user` for the key manager), with that user's group and no
 * supplementary groups. Nothing to do when not root or user is "".
 * Returns -1, with a message on stderr, when the switch fails. */
int sandbox_drop_privileges(const char *user);

/* Installs the seccomp allow-list unless cfg->sandbox is "off", and with
 * "on" first confines the files it may read (landlock.c). Returns
 * -1, with a message on stderr, when it cannot be installed: a worker
 * never serves without the sandbox it was configured with. */
int sandbox_enter(const struct config *cfg);

/* The same for the key manager (keymgr.c): its own, shorter list, and
 * with "on" no file may be opened at all. */
int sandbox_enter_keymgr(const struct config *cfg);

#endif
