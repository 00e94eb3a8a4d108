/* Container identity from cgroup paths. Pure string work on untrusted bytes:
 * every element is matched against the layouts runtimes create, nothing is
 * read from the filesystem and nothing is written past a field. */
#include "enrich/container_id.h"

#include <string.h>

static bool is_hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);
	return n >= pl && memcmp(s, p, pl) == 0;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t sl = strlen(suf);
	return n >= sl && memcmp(s + n - sl, suf, sl) == 0;
}

static bool elem_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(s, word, n) == 0;
}

/* Pod uid as the kubelet writes it: a UUID (dashes, or underscores under the
 * systemd driver) or, for static pods, a 32-hex config hash. */
static bool pod_uid_copy(const char *s, size_t n, char out[HH_ID_LEN])
{
	if (n == 0 || n >= HH_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-' || c == '_';
		if (!ok)
			return false;
		out[i] = c == '_' ? '-' : c;
	}
	out[n] = '\0';
	return true;
}

/* Prefixed scope/cgroup names: "<prefix><64hex>[.scope]". */
static const struct {
	const char *prefix;
	const char *runtime;
} prefixed[] = {
	{ "docker-", "docker" },
	{ "cri-containerd-", "containerd" },
	{ "crio-", "cri-o" },
	{ "libpod-", "podman" },
	{ "nerdctl-", "containerd" },
};

/* Runtime names in the "slice:runtime:id" form kubelet's systemd driver
 * uses when it hands cgroupsPath to the runtime unexpanded (cgroup v1). */
static const struct {
	const char *name;
	const char *runtime;
} colon_names[] = {
	{ "cri-containerd", "containerd" },
	{ "crio", "cri-o" },
	{ "docker", "docker" },
	{ "libpod", "podman" },
};

struct walk {
	char pod_uid[HH_ID_LEN];   /* pod uid seen since the last container element */
	char prev[16];             /* previous element when short (context), else "" */
};

/* Pod element: "pod<uid>" (cgroupfs) or "...-pod<uid>.slice" (systemd). */
static bool match_pod(const char *s, size_t n, char out[HH_ID_LEN])
{
	if (has_prefix(s, n, "pod"))
		return pod_uid_copy(s + 3, n - 3, out);
	if (has_suffix(s, n, ".slice") && (has_prefix(s, n, "kubepods") || has_prefix(s, n, "kubelet-kubepods"))) {
		size_t body = n - 6;
		/* last "-pod" in the slice name */
		for (size_t i = body; i >= 4; i--) {
			if (memcmp(s + i - 4, "-pod", 4) == 0)
				return pod_uid_copy(s + i, body - i, out);
		}
	}
	return false;
}

/* One path element; on a container match fills id/runtime and returns true. */
static bool match_container(const struct walk *w, const char *s, size_t n, char id[HH_ID_LEN],
			    char runtime[16])
{
	const char *body = s;
	size_t bn = n;
	if (has_suffix(body, bn, ".scope"))
		bn -= 6;
	for (size_t i = 0; i < sizeof(prefixed) / sizeof(prefixed[0]); i++) {
		if (has_prefix(body, bn, prefixed[i].prefix)) {
			size_t pl = strlen(prefixed[i].prefix);
			if (is_hex64(body + pl, bn - pl)) {
				memcpy(id, body + pl, 64);
				id[64] = '\0';
				hh_strlcpy(runtime, prefixed[i].runtime, 16);
				return true;
			}
		}
	}
	if (is_hex64(s, n)) {
		memcpy(id, s, 64);
		id[64] = '\0';
		/* A bare id: the parent says who made it; under kubepods (cgroupfs
		 * driver) docker, containerd and CRI-O all look alike: identity
		 * resolves the runtime from state on disk. */
		if (strcmp(w->prev, "docker") == 0)
			hh_strlcpy(runtime, "docker", 16);
		else if (strcmp(w->prev, "libpod_parent") == 0)
			hh_strlcpy(runtime, "podman", 16);
		else if (strcmp(w->prev, "nerdctl") == 0 || strcmp(w->prev, "default") == 0)
			hh_strlcpy(runtime, "containerd", 16); /* nerdctl, ctr: /<namespace>/<id> */
		else
			runtime[0] = '\0';
		return true;
	}
	return false;
}

/* "kubepods-burstable-pod<uid>.slice:cri-containerd:<id>" */
static bool match_colon(const char *s, size_t n, char id[HH_ID_LEN], char runtime[16], char pod[HH_ID_LEN],
			bool *got_pod)
{
	const char *c1 = memchr(s, ':', n);
	if (!c1)
		return false;
	const char *c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s));
	if (!c2)
		return false;
	const char *name = c1 + 1;
	size_t name_n = (size_t)(c2 - name);
	const char *idp = c2 + 1;
	size_t id_n = n - (size_t)(idp - s);
	if (!is_hex64(idp, id_n))
		return false;
	const char *rt = NULL;
	for (size_t i = 0; i < sizeof(colon_names) / sizeof(colon_names[0]); i++)
		if (elem_is(name, name_n, colon_names[i].name))
			rt = colon_names[i].runtime;
	if (!rt)
		return false;
	memcpy(id, idp, 64);
	id[64] = '\0';
	hh_strlcpy(runtime, rt, 16);
	*got_pod = match_pod(s, (size_t)(c1 - s), pod);
	return true;
}

bool hh_cgroup_path_identity(const char *path, size_t len, struct hh_cgroup_identity *out)
{
	memset(out, 0, sizeof(*out));
	if (!path)
		return false;
	struct walk w = { 0 };
	bool found = false;
	size_t i = 0;
	while (i < len) {
		while (i < len && path[i] == '/')
			i++;
		size_t start = i;
		while (i < len && path[i] != '/')
			i++;
		const char *e = path + start;
		size_t n = i - start;
		if (n == 0)
			break;
		/* "." and ".." carry no identity (they appear when a reader in
		 * another cgroup namespace sees the path); skip them. */
		if (elem_is(e, n, ".") || elem_is(e, n, "..")) {
			w.prev[0] = '\0';
			continue;
		}
		char id[HH_ID_LEN], rt[16], pod[HH_ID_LEN];
		bool got_pod = false;
		if (match_container(&w, e, n, id, rt) || match_colon(e, n, id, rt, pod, &got_pod)) {
			if (got_pod)
				memcpy(w.pod_uid, pod, sizeof(pod));
			/* Innermost wins (kind, docker-in-docker): later matches replace. */
			memcpy(out->container_id, id, sizeof(id));
			memcpy(out->runtime, rt, sizeof(rt));
			memcpy(out->pod_uid, w.pod_uid, sizeof(w.pod_uid));
			w.pod_uid[0] = '\0';
			found = true;
		} else if (match_pod(e, n, pod)) {
			memcpy(w.pod_uid, pod, sizeof(pod));
		}
		if (n < sizeof(w.prev)) {
			memcpy(w.prev, e, n);
			w.prev[n] = '\0';
		} else {
			w.prev[0] = '\0';
		}
	}
	return found;
}

/* True when path holds a NUL, "." or ".." element: not safe to join to a root. */
static bool path_unsafe(const char *p, size_t n)
{
	if (memchr(p, '\0', n))
		return true;
	size_t i = 0;
	while (i < n) {
		size_t s = i;
		while (i < n && p[i] != '/')
			i++;
		size_t l = i - s;
		if ((l == 1 && p[s] == '.') || (l == 2 && p[s] == '.' && p[s + 1] == '.'))
			return true;
		i++;
	}
	return false;
}

/* Which line to prefer when several name a container: the v1 cpu hierarchy
 * (telemetry reads it), then the v2 line, then any other controller. */
static int line_rank(const char *ctrl, size_t n, const char *hier, size_t hn)
{
	if (hn == 1 && hier[0] == '0' && n == 0)
		return 2;
	size_t i = 0;
	while (i < n) {
		size_t s = i;
		while (i < n && ctrl[i] != ',')
			i++;
		if (i - s == 3 && memcmp(ctrl + s, "cpu", 3) == 0)
			return 3;
		if (i - s == 7 && memcmp(ctrl + s, "cpuacct", 7) == 0)
			return 3;
		i++;
	}
	return 1;
}

bool hh_proc_cgroup_identity(const char *text, size_t len, struct hh_cgroup_identity *out,
			     char *path_out, size_t path_n)
{
	memset(out, 0, sizeof(*out));
	if (path_out && path_n)
		path_out[0] = '\0';
	if (!text)
		return false;
	int best = 0;
	size_t i = 0;
	while (i < len) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t ln = nl ? (size_t)(nl - line) : len - i;
		i += ln + 1;
		/* "hierarchy-id:controllers:path"; the path may itself hold ':' */
		const char *c1 = memchr(line, ':', ln);
		if (!c1)
			continue;
		const char *c2 = memchr(c1 + 1, ':', ln - (size_t)(c1 + 1 - line));
		if (!c2)
			continue;
		const char *p = c2 + 1;
		size_t pn = ln - (size_t)(p - line);
		struct hh_cgroup_identity cand;
		if (!hh_cgroup_path_identity(p, pn, &cand))
			continue;
		int rank = line_rank(c1 + 1, (size_t)(c2 - c1 - 1), line, (size_t)(c1 - line));
		if (rank <= best)
			continue;
		best = rank;
		*out = cand;
		if (path_out && path_n) {
			if (pn < path_n && !path_unsafe(p, pn)) {
				memcpy(path_out, p, pn);
				path_out[pn] = '\0';
			} else {
				path_out[0] = '\0';
			}
		}
	}
	return best > 0;
}
