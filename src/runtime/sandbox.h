/*
 * sandbox.h: what a worker may do once it is set up: who it runs as (the
 * `user` option) and which system calls it may make (the `sandbox`
 * option). The worker calls both, in this order, after its listening
 * socket, its TLS context, its database connections and its logs exist.
 */
#ifndef PIPELINED_SANDBOX_H
#define PIPELINED_SANDBOX_H

#include "../util/config.h"

/* Started as root: continues as cfg->user, with that user's group and no
 * supplementary groups. Nothing to do when not root or no user is set.
 * Returns -1, with a message on stderr, when the switch fails. */
int sandbox_drop_privileges(const struct config *cfg);

/* Installs the seccomp allow-list unless cfg->sandbox is "off", and with
 * "on" first confines the files it may read (landlock.c). Returns
 * -1, with a message on stderr, when it cannot be installed: a worker
 * never serves without the sandbox it was configured with. */
int sandbox_enter(const struct config *cfg);

#endif
