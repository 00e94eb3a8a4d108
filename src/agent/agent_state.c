/* What the agent already reported, kept across restarts (kill -9 included) so
 * a restart neither repeats nor loses a finding: the keys of the process
 * findings that went out (agent_emit.c) and the incidents emitted per
 * container (severity and signal classes, correlator.h). One JSON file, written
 * to a temporary file, fsync'd and renamed over the old one (a crash leaves
 * the old or the new, never a mix), at most once per sweep or sensor batch
 * and only when something changed.
 *
 * Versioned ("version": 2; another version is ignored with a warning) and
 * bounded: at most 16384 process keys (the dedup table's two generations)
 * and correlation.max_workloads incidents, about 330 KB at worst.
 * Process keys hold pids, which mean nothing after a reboot or on another
 * proc root: the file names the boot (/proc/sys/kernel/random/boot_id) and the
 * proc root, and a file from another boot or root is not used. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "core/fileio.h"
#include "core/log.h"
#include "correlation/signal_class.h"

#define STATE_VERSION 2 /* 2: incidents keep signal-class bits ("classes") */
#define STATE_MAX_KEYS 16384
#define STATE_MAX_BYTES (4u << 20)

static void boot_id(const struct hh_agent *a, char *out, size_t n)
{
	char path[HH_PATH_LEN];
	out[0] = '\0';
	if (hh_path_join(path, sizeof(path), a->proc_root, "/sys/kernel/random/boot_id") < 0)
		return;
	FILE *fp = fopen(path, "r");
	if (!fp)
		return;
	if (fgets(out, (int)n, fp))
		out[strcspn(out, "\n")] = '\0';
	fclose(fp);
}

static const char *sev_name(enum hh_severity s) { return hh_severity_name(s); }

void hh_agent_state_load(struct hh_agent *a)
{
	const char *path = a->opts.state_file;
	if (!path || !*path)
		return;
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	if (!j) {
		if (access(path, F_OK) == 0)
			hh_warn("agent state %s: %s (line %d); starting without it", path, e.text, e.line);
		return;
	}
	char boot[64];
	boot_id(a, boot, sizeof(boot));
	json_t *ver = json_object_get(j, "version");
	const char *fmt = json_string_value(json_object_get(j, "format"));
	const char *jboot = json_string_value(json_object_get(j, "boot_id"));
	const char *jroot = json_string_value(json_object_get(j, "proc_root"));
	if (!fmt || strcmp(fmt, "hashhound-agent-state") != 0 || !json_is_integer(ver) ||
	    json_integer_value(ver) != STATE_VERSION) {
		hh_warn("agent state %s: not a version %d state file; starting without it", path, STATE_VERSION);
		json_decref(j);
		return;
	}
	if (!jboot || strcmp(jboot, boot) != 0 || !jroot || strcmp(jroot, a->proc_root) != 0) {
		hh_info("agent state %s: from another boot or proc root; not used", path);
		json_decref(j);
		return;
	}
	json_t *keys = json_object_get(j, "reported_processes");
	size_t nk = json_is_array(keys) ? json_array_size(keys) : 0;
	if (nk > STATE_MAX_KEYS)
		nk = STATE_MAX_KEYS;
	uint64_t *k = nk ? calloc(nk, sizeof(*k)) : NULL;
	size_t got = 0;
	for (size_t i = 0; k && i < nk; i++) {
		const char *hex = json_string_value(json_array_get(keys, json_array_size(keys) - nk + i));
		char *end;
		if (!hex)
			continue;
		errno = 0;
		unsigned long long v = strtoull(hex, &end, 16);
		if (!errno && end != hex && !*end)
			k[got++] = v;
	}
	hh_agent_dedup_import(a, k, got);
	free(k);
	json_t *incs = json_object_get(j, "incidents");
	size_t i, n_inc = 0;
	json_t *v;
	json_array_foreach(incs, i, v) {
		const char *id = json_string_value(json_object_get(v, "container.id"));
		const char *sev = json_string_value(json_object_get(v, "severity"));
		json_t *cats = json_object_get(v, "classes"), *t = json_object_get(v, "time");
		struct hh_incident_mark m = { 0 };
		if (!id || strlen(id) >= sizeof(m.container_id) || !sev || !hh_severity_parse(sev, &m.severity) ||
		    !json_is_integer(cats) || !json_is_number(t))
			continue;
		hh_strlcpy(m.container_id, id, sizeof(m.container_id));
		m.classes = (unsigned)json_integer_value(cats) & ((1u << HH_CLS_COUNT) - 1);
		m.time = json_number_value(t);
		hh_correlator_restore(a->correlator, &m);
		n_inc++;
	}
	hh_info("agent state %s: %zu processes and %zu incidents already reported", path, got, n_inc);
	json_decref(j);
}

static void add_mark(const struct hh_incident_mark *m, void *ctx)
{
	json_t *arr = ctx;
	json_array_append_new(arr, json_pack("{s:s, s:s, s:i, s:f}", "container.id", m->container_id, "severity",
					     sev_name(m->severity), "classes", (int)m->classes, "time", m->time));
}

/* write, fsync, rename, fsync the directory */
static int write_atomic(const char *path, const char *text)
{
	char tmp[HH_PATH_LEN + 16];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	char dir[HH_PATH_LEN];
	hh_strlcpy(dir, path, sizeof(dir));
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

void hh_agent_state_save(struct hh_agent *a, bool force)
{
	const char *path = a->opts.state_file;
	if (!path || !*path || (!a->state_dirty && !force))
		return;
	a->state_dirty = false;
	uint64_t *keys = malloc(STATE_MAX_KEYS * sizeof(*keys));
	if (!keys)
		return;
	size_t nk = hh_agent_dedup_export(a, keys, STATE_MAX_KEYS);
	char boot[64], ts[40];
	boot_id(a, boot, sizeof(boot));
	hh_format_time(hh_now(), ts, sizeof(ts));
	json_t *arr = json_array(), *incs = json_array();
	for (size_t i = 0; i < nk; i++) {
		char hex[20];
		snprintf(hex, sizeof(hex), "%016" PRIx64, keys[i]);
		json_array_append_new(arr, json_string(hex));
	}
	free(keys);
	hh_correlator_marks(a->correlator, add_mark, incs);
	json_t *j = json_pack("{s:s, s:i, s:s, s:s, s:s, s:o, s:o}", "format", "hashhound-agent-state", "version",
			      STATE_VERSION, "saved", ts, "boot_id", boot, "proc_root", a->proc_root,
			      "reported_processes", arr, "incidents", incs);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text || strlen(text) > STATE_MAX_BYTES || write_atomic(path, text) < 0) {
		static bool warned;
		if (!warned)
			hh_warn("agent state %s: cannot write (%s); a restart may repeat findings", path,
				text ? strerror(errno) : "out of memory");
		warned = true;
		a->state_dirty = true;
	}
	free(text);
}
