/* Droppers and persistence in scripts and system config files:
 *  - a download piped into a shell (curl|wget ... | sh, sh -c "$(curl ...)",
 *    bash <(wget -O- ...)) and base64 -d piped into a shell;
 *  - files in the places that start programs: cron (/etc/crontab,
 *    /etc/cron.*, /var/spool/cron), systemd units, rc/init scripts, profile
 *    scripts; and the commands those files run. */
#ifndef HH_SCRIPT_CHECKS_H
#define HH_SCRIPT_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

enum hh_persist_kind { HH_PERSIST_NONE = 0, HH_PERSIST_CRON, HH_PERSIST_SYSTEMD, HH_PERSIST_RC, HH_PERSIST_PROFILE };

/* Classifies a filesystem path (leading '/' optional). */
enum hh_persist_kind hh_persist_kind(const char *path);
const char *hh_persist_name(enum hh_persist_kind k);

struct hh_dropper {
	size_t offset;        /* start of the line */
	char line[200];       /* the line, truncated, control characters replaced */
	const char *kind;     /* static: "download-pipe-shell", "base64-pipe-shell" */
};

/* Finds the first dropper line in text. */
bool hh_find_dropper(const char *text, size_t len, struct hh_dropper *out);
/* The words every dropper line holds (case-sensitive): text holding none of
 * them has no dropper, so a combined pass can skip hh_find_dropper. */
#define HH_DROPPER_N_KEYS 5
extern const char *const hh_dropper_keys[HH_DROPPER_N_KEYS];
/* hh_find_dropper given where the keys occur: at[0..n), ascending, every
 * occurrence of every key (as a combined pass found them; complete false:
 * the first ones only, the text after them is searched): the lines holding
 * them are checked. The same answer as hh_find_dropper. */
bool hh_find_dropper_at(const char *text, size_t len, const size_t *at, size_t n, bool complete,
			struct hh_dropper *out);

/* For cron and systemd files: the commands they start (cron entry command
 * field, ExecStart= and kin). Calls cb for each; returns the count. */
typedef void (*hh_cmd_cb)(void *user, const char *cmd, size_t len, size_t line_no);
size_t hh_persist_commands(enum hh_persist_kind kind, const char *text, size_t len, hh_cmd_cb cb, void *user);

/* True when a command runs something from a staging place (/tmp, /dev/shm,
 * /var/tmp, a hidden dot path) as miners' persistence does. */
bool hh_cmd_runs_staged(const char *cmd, size_t len);

#endif
