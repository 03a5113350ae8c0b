/*
 * supervisor.h: the master's own state, shared by its supervision of the
 * workers (master.c) and its reloads (reload.c). Not for other layers.
 *
 * A slot is one worker's place: its index names the worker's channels
 * (certs.c, keymgr.c), its metrics and its column of the per-address
 * counts. The states of a slot and the rules between them:
 *
 *   FREE     -> PENDING   a reload forks a worker of the new configuration
 *   FREE     -> LIVE      at start, a worker of the first configuration
 *   LIVE     -> LIVE      a worker that dies is replaced (master.c's rules)
 *   PENDING  -> LIVE      every pending worker serves: the reload is done
 *   PENDING  -> RETIRING  one of them died first, or took too long: the
 *                         reload is abandoned and the live ones stay
 *   LIVE     -> RETIRING  the reload is done: told to finish (SIGUSR2)
 *   LIVE     -> FREE      the reload is done while it waited to be replaced
 *   RETIRING -> FREE      it exited (or was killed at its drain's end)
 *
 * At most two generations are open: the live one and, during a reload,
 * the pending one; a retiring worker needs none (it holds its own copy
 * of everything and is never replaced).
 */
#ifndef PIPELINED_SUPERVISOR_H
#define PIPELINED_SUPERVISOR_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "certs.h"
#include "generation.h"
#include "master.h"

enum slot_state { SLOT_FREE, SLOT_LIVE, SLOT_PENDING, SLOT_RETIRING };

struct slot {
	enum slot_state state;
	pid_t pid; /* 0: no process (a LIVE one is waiting to be replaced) */
	int gen; /* LIVE or PENDING: its index in master.gens */
	int pos; /* and its listening socket there */
	uint64_t started_ms;
	uint64_t respawn_at_ms; /* LIVE with pid 0 */
	uint64_t kill_at_ms; /* RETIRING: the end of its drain */
	int deaths; /* in a row, each within RESTART_RESET_S of its start */
	int start_failures; /* in a row, before serving */
};

struct master {
	const struct master_opts *o;
	struct certs certs;
	struct slot slots[METRICS_MAX_WORKERS];
	struct generation gens[2];
	int live; /* gens[live] is served */
	int pending; /* gens[!live] is open and its workers are starting */
	uint64_t pending_since_ms;
	sigset_t oldmask; /* what a worker's signal mask is */
};

/* master.c: forks the worker of slot i (its gen and pos set). */
void master_spawn(struct master *m, int i);
/* Sends sig to every slot in state st that has a process. */
void master_signal(struct master *m, enum slot_state st, int sig);
/* A slot whose worker is gone for good. */
void master_free_slot(struct master *m, int i);

/* reload.c: SIGHUP. */
void reload_begin(struct master *m);
/* Each turn of the master's loop: finishes or abandons a pending reload,
 * and ends the drains of retiring workers that outlast it. Returns the
 * milliseconds until it needs another look (at most max_ms). */
long reload_tick(struct master *m, long max_ms);
/* A pending worker died before it served. */
void reload_abandon(struct master *m, const char *why);

#endif
