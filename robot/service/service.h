/*
 * service.h - `ulf run` as a service: unattended, day and night.
 *
 * One thread, one loop (as redis' ae and nginx's worker): it waits on the
 * inbox's inotify descriptor with a one-second tick, takes settled files,
 * advances unfinished documents, and acts on flags that the signal handlers
 * set and do nothing else with:
 *   SIGTERM, SIGINT  finish the document in hand, then exit 0;
 *   SIGHUP           reload: build the new configuration completely and
 *                    swap it in only if it is valid; otherwise keep the old
 *                    one and say why.
 * At start it scans the inbox and resumes every unfinished document.
 */
#ifndef ULF_SERVICE_H
#define ULF_SERVICE_H

#include <stdbool.h>

#include "robot/config/config.h"

/* Runs until SIGTERM/SIGINT.  Returns the process exit status. */
int service_run(const ulf_config *cfg, const char *config_path, bool keep);

#endif
