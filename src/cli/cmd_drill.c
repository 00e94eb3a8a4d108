/* hashhound drill: proves the agent's pipeline end to end, harmlessly
 * (docs/drill.md). Builds or reuses the scratch image of the miner simulator
 * (tools/minersim/build-image.sh, run from the source tree next to the
 * binary), starts hh-poolsim on loopback and hh-minersim in a real podman
 * container under an innocent name with --cpus 0.3, runs the agent's loop
 * in-process restricted to that container, and reports what fired and how
 * fast. The container and the pool are always removed, also on SIGINT/SIGTERM. */
#include <arpa/inet.h>
#include <elf.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "cli/cli.h"
#include "core/finding.h"
#include "core/log.h"
#include "drill/spawn.h"

#define MAX_RULES 32

struct seen_rule {
	char rule[96];
	double t;              /* seconds after the container started */
	enum hh_severity sev;  /* the severity it fired with then */
};

struct drill {
	struct hh_cli cli;
	double duration, interval;
	const char *image, *sim_dir, *cpus, *disguise, *name_opt;
	enum hh_severity min_sev;
	int threads;
	int sfd;
	pid_t pool;
	char ctr_id[HH_ID_LEN], ctr_name[128], image_used[512];
	double t_start;
	struct seen_rule seen[MAX_RULES];
	size_t n_seen;
	bool incident_high, behavior_seen;
	struct hh_workload w;
};

static void drill_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hashhound drill [OPTIONS]\n\n"
		"Runs a harmless simulated miner (hh-minersim, real memory-hard hashing and the\n"
		"CryptoNote pool dialect to a loopback hh-poolsim) in a real podman container\n"
		"under an innocent name, limited with --cpus, and runs the agent's detection on\n"
		"it until an incident at high or above and a behavior finding have both fired\n"
		"(or --duration ends). Reports each rule that fired and the seconds from\n"
		"container start, as\n"
		"findings with source \"drill\", and a summary on stderr. Always removes the\n"
		"container and stops the pool, also on SIGINT/SIGTERM.\n"
		"Exit 0: detected (a T1496 finding at or above --min-severity), 1: not detected,\n"
		"2: setup error (podman, image, simulator missing), 130: interrupted.\n\n"
		"Options:\n"
		"      --duration S       run the miner at most S seconds (default 90)\n"
		"      --interval S       agent sweep interval (default agent.interval_s)\n"
		"      --image IMG        simulator image (default localhost/hh-minersim:latest;\n"
		"                         built or reused with tools/minersim/build-image.sh)\n"
		"      --sim-dir DIR      where hh-minersim and hh-poolsim are (default: $HH_SIM_DIR,\n"
		"                         then build/ of the source tree holding this binary)\n"
		"      --cpus N           container CPU limit (default 0.3)\n"
		"      --threads N        hashing threads (default 2)\n"
		"      --disguise NAME    process name the miner shows (default kworker/0:1)\n"
		"      --name NAME        container name (default kworker-PID)\n"
		"      --min-severity S   what counts as detected (default medium)\n"
		HH_COMMON_HELP, hh_cli_format_help("drill"));
}

/* A statically linked ELF (no PT_INTERP): what a scratch image can run. */
static bool is_static_elf(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	Elf64_Ehdr eh;
	bool ok = pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
		  eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr) && eh.e_phnum < 256;
	for (unsigned i = 0; ok && i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != (ssize_t)sizeof(ph) ||
		    ph.p_type == PT_INTERP)
			ok = false;
	}
	close(fd);
	return ok;
}

static void exe_dir(char *out, size_t n)
{
	char self[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (k <= 0) {
		hh_strlcpy(out, ".", n);
		return;
	}
	self[k] = '\0';
	hh_strlcpy(out, dirname(self), n);
}

/* Finds the simulators: the first candidate directory whose hh-minersim is static. */
static bool find_sim_dir(const struct drill *d, char *out, size_t n)
{
	char dir[PATH_MAX - 64], cand[4][PATH_MAX];
	exe_dir(dir, sizeof(dir));
	size_t nc = 0;
	if (d->sim_dir)
		snprintf(cand[nc++], sizeof(cand[0]), "%s", d->sim_dir);
	else {
		const char *env = getenv("HH_SIM_DIR");
		if (env && *env)
			snprintf(cand[nc++], sizeof(cand[0]), "%s", env);
		snprintf(cand[nc++], sizeof(cand[0]), "%s/../build", dir);
		snprintf(cand[nc++], sizeof(cand[0]), "%s", dir);
		snprintf(cand[nc++], sizeof(cand[0]), "%s/../lib/hashhound", dir);
	}
	for (size_t i = 0; i < nc; i++) {
		char m[PATH_MAX + 16], p[PATH_MAX + 16];
		if (snprintf(m, sizeof(m), "%s/hh-minersim", cand[i]) >= (int)sizeof(m) ||
		    snprintf(p, sizeof(p), "%s/hh-poolsim", cand[i]) >= (int)sizeof(p))
			continue;
		if (access(p, X_OK) == 0 && access(m, X_OK) == 0 && is_static_elf(m)) {
			if (!realpath(cand[i], out))
				hh_strlcpy(out, cand[i], n);
			return true;
		}
	}
	return false;
}

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int port = -1;
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(s, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(s);
	return port;
}

static bool port_open(int port)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return false;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	bool ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(s);
	return ok;
}

/* "2026-11-22 03:40:01.123456789 +0000 UTC" (podman's StartedAt) -> epoch seconds. */
static double parse_started_at(const char *s)
{
	int y, mo, da, h, mi;
	double sec;
	if (sscanf(s, "%d-%d-%d %d:%d:%lf", &y, &mo, &da, &h, &mi, &sec) != 6 || !strstr(s, "+0000"))
		return 0;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = da, .tm_hour = h, .tm_min = mi };
	time_t t = timegm(&tm);
	return t < 0 ? 0 : (double)t + sec;
}

static void on_finding(const struct hh_finding *f, void *ctx)
{
	struct drill *d = ctx;
	double t = hh_now() - d->t_start;
	bool mining = false;
	for (size_t i = 0; i < f->n_mitre; i++)
		mining |= strcmp(f->mitre[i], "T1496") == 0;
	if (strcmp(f->rule, "incident.cryptomining") == 0 && f->severity >= HH_SEV_HIGH)
		d->incident_high = true;
	if (strncmp(f->rule, "behavior.", 9) == 0)
		d->behavior_seen = true;
	hh_info("drill: +%.1f s %s %s: %s", t, hh_severity_name(f->severity), f->rule, f->title);
	if (!mining)
		return;
	/* One entry per rule and severity reached, with the time it got there:
	 * the summary shows what each rule said when it fired, and escalations. */
	for (size_t i = 0; i < d->n_seen; i++)
		if (strcmp(d->seen[i].rule, f->rule) == 0 && d->seen[i].sev >= f->severity)
			return;
	if (d->n_seen == MAX_RULES)
		return;
	struct seen_rule *r = &d->seen[d->n_seen++];
	hh_strlcpy(r->rule, f->rule, sizeof(r->rule));
	r->t = t;
	r->sev = f->severity;
}

/* Both paths have fired (an incident at high or above, and the behavior
 * detectors, which need their window): nothing more to learn. */
static bool stop_when_clear(void *ctx)
{
	const struct drill *d = ctx;
	return d->incident_high && d->behavior_seen;
}

static void cleanup(struct drill *d)
{
	if (d->ctr_id[0]) {
		char *rm[] = { "podman", "rm", "-f", "-t", "0", d->ctr_id, NULL };
		char out[256];
		int rc = hh_run_capture(rm, NULL, out, sizeof(out), 60, -1, NULL);
		if (rc != 0)
			hh_warn("drill: podman rm -f %.12s failed (exit %d); remove it by hand", d->ctr_id, rc);
		else
			hh_info("drill: removed container %.12s", d->ctr_id);
		d->ctr_id[0] = '\0';
	}
	if (d->pool > 0) {
		hh_spawn_stop(d->pool, SIGTERM, 3);
		d->pool = 0;
	}
}

static bool interrupted(struct drill *d)
{
	struct signalfd_siginfo si;
	return d->sfd >= 0 && read(d->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si);
}

/* Builds or reuses the image. Returns 0, 2 on setup errors, 130 when interrupted. */
static int ensure_image(struct drill *d, const char *sim_dir)
{
	char dir[PATH_MAX - 64], script[PATH_MAX];
	exe_dir(dir, sizeof(dir));
	snprintf(script, sizeof(script), "%s/../tools/minersim/build-image.sh", dir);
	if (access(script, R_OK) != 0 || !sim_dir) {
		char *ex[] = { "podman", "image", "exists", (char *)d->image, NULL };
		if (hh_run_capture(ex, NULL, NULL, 0, 60, -1, NULL) == 0) {
			hh_info("drill: reusing image %s (no build script or simulators to rebuild it)", d->image);
			hh_strlcpy(d->image_used, d->image, sizeof(d->image_used));
			return 0;
		}
		hh_err("drill: image %s is missing and cannot be built: %s%s", d->image,
		       access(script, R_OK) != 0 ? "no tools/minersim/build-image.sh next to this binary" : "",
		       !sim_dir ? "; no static hh-minersim found (make tools, or --sim-dir)" : "");
		return 2;
	}
	char env[PATH_MAX + 16];
	snprintf(env, sizeof(env), "MS_BIN_DIR=%s", sim_dir);
	char *envv[] = { env, NULL };
	char *argv[] = { "sh", script, (char *)d->image, NULL };
	int sig = 0;
	int rc = hh_run_capture(argv, envv, d->image_used, sizeof(d->image_used), 600, d->sfd, &sig);
	if (sig)
		return 130;
	if (rc != 0 || !d->image_used[0]) {
		hh_err("drill: %s failed (exit %d)", script, rc);
		return 2;
	}
	return 0;
}

static void report(struct drill *d, bool detected)
{
	for (size_t i = 0; i < d->n_seen; i++) {
		char title[256];
		snprintf(title, sizeof(title), "Drill: %s fired %.1f s after the container started", d->seen[i].rule,
			 d->seen[i].t);
		struct hh_finding *f = hh_finding_new("drill", "drill.detected", title, HH_SEV_INFO, 1);
		if (!f)
			continue;
		hh_finding_set_workload(f, &d->w);
		hh_finding_evidence_str(f, "rule", d->seen[i].rule);
		hh_finding_evidence_str(f, "rule.severity", hh_severity_name(d->seen[i].sev));
		hh_finding_evidence_num(f, "seconds_after_start", round(d->seen[i].t * 10) / 10);
		hh_cli_emit_free(&d->cli, f);
	}
	double first = -1;
	for (size_t i = 0; i < d->n_seen; i++)
		if (d->seen[i].sev >= d->min_sev && (first < 0 || d->seen[i].t < first))
			first = d->seen[i].t;
	char title[256];
	if (detected)
		snprintf(title, sizeof(title), "Drill passed: the simulated miner was detected in %.1f s", first);
	else
		snprintf(title, sizeof(title), "Drill failed: no finding at or above %s within %.0f s",
			 hh_severity_name(d->min_sev), d->duration);
	struct hh_finding *f = hh_finding_new("drill", detected ? "drill.result" : "drill.missed", title,
					      detected ? HH_SEV_INFO : HH_SEV_HIGH, 1);
	if (f) {
		hh_finding_set_workload(f, &d->w);
		hh_finding_evidence_str(f, "detected", detected ? "true" : "false");
		if (detected)
			hh_finding_evidence_num(f, "first_detection_s", round(first * 10) / 10);
		hh_finding_evidence_num(f, "rules_fired", (double)d->n_seen);
		hh_finding_evidence_str(f, "cpus", d->cpus);
		hh_finding_evidence_str(f, "disguise", d->disguise);
		hh_cli_emit_free(&d->cli, f);
	}
	fprintf(stderr, "\nhashhound drill: %s\n", title);
	for (size_t i = 0; i < d->n_seen; i++)
		fprintf(stderr, "  %6.1f s  %-8s %s\n", d->seen[i].t, hh_severity_name(d->seen[i].sev), d->seen[i].rule);
	if (!d->n_seen)
		fprintf(stderr, "  (no mining finding about container %.12s)\n", d->w.container_id);
}

/* Starts hh-minersim in its container; fills d->ctr_id, d->t_start, d->w.
 * Returns 0, 2 on errors, 130 when interrupted. */
static int start_miner(struct drill *d, const char *listen)
{
	int rc;
	char mins[32], threads[16], pool_addr[64];
	if (d->name_opt)
		hh_strlcpy(d->ctr_name, d->name_opt, sizeof(d->ctr_name));
	else
		snprintf(d->ctr_name, sizeof(d->ctr_name), "kworker-%d", (int)getpid());
	char cpus[32];
	snprintf(cpus, sizeof(cpus), "--cpus=%s", d->cpus);
	snprintf(mins, sizeof(mins), "%.0f", d->duration + 30);
	snprintf(threads, sizeof(threads), "%d", d->threads);
	hh_strlcpy(pool_addr, listen, sizeof(pool_addr));
	char *run[] = { "podman", "run", "-d", "--runtime", "runc", "--ulimit", "nofile=1024:1024", "--ulimit",
			"nproc=1024:1024", "--network", "host", cpus, "--name", d->ctr_name, "--label", "hh.drill=1",
			d->image_used, "/usr/local/bin/hh-minersim", "--pool", pool_addr, "--threads", threads,
			"--name", (char *)d->disguise, "--duration", mins, "--quiet", NULL };
	double before = hh_now();
	int sig = 0;
	char out[512];
	rc = hh_run_capture(run, NULL, out, sizeof(out), 120, d->sfd, &sig);
	/* Whatever happened, a container of that name may exist now: find it for cleanup. */
	if (rc != 0 || strlen(out) < 12) {
		char *id[] = { "podman", "container", "inspect", "--format", "{{.Id}}", d->ctr_name, NULL };
		if (hh_run_capture(id, NULL, out, sizeof(out), 30, -1, NULL) == 0)
			hh_strlcpy(d->ctr_id, out, sizeof(d->ctr_id));
		if (sig)
			return 130;
		hh_err("drill: podman run failed (exit %d)", rc);
		return 2;
	}
	hh_strlcpy(d->ctr_id, out, sizeof(d->ctr_id));
	char *insp[] = { "podman", "container", "inspect", "--format", "{{.State.StartedAt}}", d->ctr_id, NULL };
	d->t_start = before;
	if (hh_run_capture(insp, NULL, out, sizeof(out), 30, -1, NULL) == 0) {
		double t = parse_started_at(out);
		if (t > before - 60 && t < hh_now() + 1)
			d->t_start = t;
	}
	hh_strlcpy(d->w.container_id, d->ctr_id, sizeof(d->w.container_id));
	hh_strlcpy(d->w.container_name, d->ctr_name, sizeof(d->w.container_name));
	hh_strlcpy(d->w.image, d->image_used, sizeof(d->w.image));
	hh_strlcpy(d->w.runtime, "podman", sizeof(d->w.runtime));
	fprintf(stderr, "hashhound drill: miner in container %.12s (%s, --cpus %s, shown as '%s'), pool %s; "
			"watching for at most %.0f s\n",
		d->ctr_id, d->ctr_name, d->cpus, d->disguise, listen, d->duration);

	return 0;
}

static int drill_run(struct drill *d)
{
	char sim_dir[PATH_MAX];
	bool have_sim = find_sim_dir(d, sim_dir, sizeof(sim_dir));
	int rc = ensure_image(d, have_sim ? sim_dir : NULL);
	if (rc)
		return rc;
	if (!have_sim) {
		hh_err("drill: hh-poolsim not found (make tools, or --sim-dir)");
		return 2;
	}
	/* The pool, on loopback. */
	int port = free_port();
	char listen[64], maxs[32], pool_bin[PATH_MAX + 16];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(maxs, sizeof(maxs), "%.0f", d->duration + 120);
	snprintf(pool_bin, sizeof(pool_bin), "%s/hh-poolsim", sim_dir);
	char *pool_argv[] = { pool_bin, "--listen", listen, "--job-interval", "5", "--max-seconds", maxs, "--quiet", NULL };
	d->pool = hh_spawn(pool_argv, NULL, NULL);
	if (d->pool < 0 || port < 0) {
		hh_err("drill: cannot start %s", pool_bin);
		return 2;
	}
	double until = hh_mono() + 10;
	while (!port_open(port) && hh_mono() < until) {
		if (interrupted(d))
			return 130;
		usleep(100000);
	}
	if (!port_open(port)) {
		hh_err("drill: hh-poolsim did not listen on %s", listen);
		return 2;
	}
	/* The agent first, so its sensor sees the miner's exec: it follows only
	 * the container whose id d->ctr_id will hold (nothing is judged before
	 * hh_agent_run). */
	struct hh_agent_opts ao = { .interval_s = d->interval, .duration_s = d->duration, .only_container = d->ctr_id,
				    .sensor = hh_config_bool(&d->cli.config, NULL, "agent.sensor", true) };
	struct hh_agent *a = hh_agent_new(&d->cli.config, &ao, on_finding, d);
	if (!a)
		return 2;
	rc = start_miner(d, listen);
	if (rc) {
		hh_agent_free(a);
		return rc;
	}
	/* The detection: the agent's own loop, restricted to that container. */
	hh_agent_run(a, stop_when_clear, d);
	int stop_sig = hh_agent_stop_signal(a);
	hh_agent_free(a);
	if (stop_sig || interrupted(d))
		return 130;
	bool detected = false;
	for (size_t i = 0; i < d->n_seen; i++)
		detected |= d->seen[i].sev >= d->min_sev;
	report(d, detected);
	return detected ? 0 : 1;
}

int hh_cmd_drill(int argc, char **argv)
{
	enum { O_DURATION = 0x2000, O_INTERVAL, O_IMAGE, O_SIMDIR, O_CPUS, O_THREADS, O_DISGUISE, O_NAME, O_MINSEV };
	static const struct option longopts[] = {
		HH_COMMON_LONGOPTS,
		{ "duration", required_argument, 0, O_DURATION }, { "interval", required_argument, 0, O_INTERVAL },
		{ "image", required_argument, 0, O_IMAGE },       { "sim-dir", required_argument, 0, O_SIMDIR },
		{ "cpus", required_argument, 0, O_CPUS },         { "threads", required_argument, 0, O_THREADS },
		{ "disguise", required_argument, 0, O_DISGUISE }, { "name", required_argument, 0, O_NAME },
		{ "min-severity", required_argument, 0, O_MINSEV }, { 0, 0, 0, 0 },
	};
	static struct drill d; /* static: large, and one drill per process */
	memset(&d, 0, sizeof(d));
	hh_cli_init(&d.cli, "drill");
	d.duration = 90;
	d.image = "localhost/hh-minersim:latest";
	d.cpus = "0.3";
	d.threads = 2;
	d.disguise = "kworker/0:1";
	d.min_sev = HH_SEV_MEDIUM;
	d.sfd = -1;
	int opt;
	while ((opt = getopt_long(argc, argv, HH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int r = hh_cli_option(&d.cli, opt, optarg);
		if (r < 0)
			return HH_EXIT_USAGE;
		if (r > 0)
			continue;
		char *end = NULL;
		switch (opt) {
		case O_DURATION:
			d.duration = strtod(optarg, &end);
			if (*end || !(d.duration >= 5 && d.duration <= 3600)) {
				fprintf(stderr, "hashhound drill: --duration must be 5..3600 seconds\n");
				return HH_EXIT_USAGE;
			}
			break;
		case O_INTERVAL:
			d.interval = strtod(optarg, &end);
			if (*end || !(d.interval >= 0.1 && d.interval <= 60)) {
				fprintf(stderr, "hashhound drill: --interval must be 0.1..60 seconds\n");
				return HH_EXIT_USAGE;
			}
			break;
		case O_IMAGE: d.image = optarg; break;
		case O_SIMDIR: d.sim_dir = optarg; break;
		case O_CPUS:
			if (strtod(optarg, &end) <= 0 || *end || strlen(optarg) > 16) {
				fprintf(stderr, "hashhound drill: --cpus needs a positive number\n");
				return HH_EXIT_USAGE;
			}
			d.cpus = optarg;
			break;
		case O_THREADS:
			d.threads = (int)strtol(optarg, &end, 10);
			if (*end || d.threads < 1 || d.threads > 64) {
				fprintf(stderr, "hashhound drill: --threads must be 1..64\n");
				return HH_EXIT_USAGE;
			}
			break;
		case O_DISGUISE: d.disguise = optarg; break;
		case O_NAME: d.name_opt = optarg; break;
		case O_MINSEV:
			if (!hh_severity_parse(optarg, &d.min_sev)) {
				fprintf(stderr, "hashhound drill: unknown --min-severity '%s'\n", optarg);
				return HH_EXIT_USAGE;
			}
			break;
		default: drill_usage(stderr); return HH_EXIT_USAGE;
		}
	}
	if (d.cli.want_help) {
		drill_usage(stdout);
		return 0;
	}
	if (optind < argc) {
		fprintf(stderr, "hashhound drill: unexpected argument '%s'\n", argv[optind]);
		return HH_EXIT_USAGE;
	}
	int rc = hh_cli_start(&d.cli);
	if (rc)
		return rc;
	/* Signals become readable events: every wait can stop and clean up. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	/* A reader that goes away (| head) must not kill the drill before it removes its container. */
	signal(SIGPIPE, SIG_IGN);
	d.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	rc = drill_run(&d);
	cleanup(&d);
	if (rc == 130)
		fprintf(stderr, "hashhound drill: interrupted; container and pool removed\n");
	hh_cli_finish(&d.cli);
	if (d.sfd >= 0)
		close(d.sfd);
	return rc;
}
