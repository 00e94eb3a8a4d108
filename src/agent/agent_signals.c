/* SIGINT/SIGTERM for the agent: blocked in every thread, taken from a signalfd
 * by the main loop (agent.c), so a stop always ends with a final sweep and the
 * sinks' flush, whichever thread the kernel would have picked. */
#include "agent/agent.h"

#include <pthread.h>
#include <signal.h>

int hh_agent_block_stop_signals(void)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	/* pthread_sigmask returns the error instead of setting errno. */
	return pthread_sigmask(SIG_BLOCK, &mask, NULL) == 0 ? 0 : -1;
}
