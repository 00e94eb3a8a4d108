/* Image references as scan targets (see scan_ref.h). */
#include "cli/scan_ref.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "sources/image/containerd.h"
#include "sources/image/cstorage.h"
#include "sources/image/docker.h"
#include "sources/image/image_ref.h"
#include "sources/image/registry.h"

static void scan_layout(const char *target, const char *dir, const char *platform, struct hh_content *content,
			const struct hh_scan_limits *lim, hh_ref_result_fn on_result, void *user, long *errors)
{
	struct hh_scan_result res;
	hh_scan_target(dir, content, lim, &res);
	for (size_t k = 0; k < res.findings.n; k++)
		if (platform && *platform)
			hh_finding_set_str(res.findings.items[k], "image.platform", platform);
	char label[800];
	snprintf(label, sizeof(label), "%s%s%s", target, platform && *platform ? " " : "", platform ? platform : "");
	*errors += (long)res.errors;
	on_result(user, label, &res);
}

/* A missing file named like an archive or document is a path with a typo,
 * not an image to pull. */
static bool looks_like_file(const char *t)
{
	static const char *const ext[] = { ".tar", ".tgz", ".gz", ".zst", ".xz", ".bz2", ".zip",
					   ".json", ".yaml", ".yml", ".oci", ".img", ".sh" };
	size_t n = strlen(t);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);
		if (n > e && !strcmp(t + n - e, ext[i]))
			return true;
	}
	return false;
}

/* The names a local store may hold the image under: the canonical name, the
 * target as typed (an id prefix), podman's localhost/NAME:TAG for a short
 * name. Returns how many were written. */
static size_t local_names(const char *target, const struct hh_image_ref *ref, char names[3][760])
{
	size_t n = 0;
	snprintf(names[n++], 760, "%s", ref->name);
	if (!strchr(target, '/') && !strchr(target, ':') && !strchr(target, '@'))
		snprintf(names[n++], 760, "%s", target);
	if (!strchr(target, '/') && ref->tag[0])
		snprintf(names[n++], 760, "localhost/%.300s:%.128s", ref->repo + 8, ref->tag);
	return n;
}

/* Which stores were looked in, for the "not found" message. */
static __thread char searched[3200];

enum store { CSTORAGE, CONTAINERD, DOCKER, N_STORES };
static const char *const store_label[N_STORES] = { "containers-storage", "containerd", "Docker" };

/* Exports name from one store. Returns 0 (layout written), 1 not there, -1 error. */
static int store_export(enum store s, const char *root, const char *name, const struct hh_scan_limits *lim,
			const struct hh_ref_opts *o, struct hh_layout *l, size_t *e, char *where, size_t wlen,
			char *err, size_t errlen)
{
	if (s == CSTORAGE)
		return hh_cstorage_export(root, name, lim->max_total_bytes, l, e, where, wlen, err, errlen);
	if (s == CONTAINERD) {
		struct hh_containerd_opts co = { o->containerd_ns, o->platform, lim->max_total_bytes,
						 lim->max_json_bytes, lim->max_entries, lim->max_dir_depth };
		return hh_containerd_export(root, name, &co, l, e, where, wlen, err, errlen);
	}
	return hh_docker_export(root, name, lim->max_total_bytes, lim->max_json_bytes, l, e, where, wlen, err,
				errlen);
}

/* Looks in containers-storage, containerd and Docker, in that order, each
 * only when its root exists. Returns 0 when scanned, 1 when in none, -1 on an
 * error of the store that has the image. */
static int scan_local(const char *target, const struct hh_image_ref *ref, struct hh_content *content,
		      const struct hh_scan_limits *lim, const struct hh_ref_opts *o, hh_ref_result_fn on_result,
		      void *user, long *errors)
{
	char names[3][760], roots[N_STORES][1024], err[1200], where[760];
	size_t nn = local_names(target, ref, names);
	hh_cstorage_root(o->storage_root, roots[CSTORAGE], sizeof(roots[0]));
	hh_containerd_root(o->containerd_root, roots[CONTAINERD], sizeof(roots[0]));
	hh_docker_root(o->docker_root, roots[DOCKER], sizeof(roots[0]));
	searched[0] = 0;
	for (int s = 0; s < N_STORES; s++) {
		struct stat st;
		if (stat(roots[s], &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		size_t used = strlen(searched);
		snprintf(searched + used, sizeof(searched) - used, "%s%s %.700s", used ? ", " : "", store_label[s],
			 roots[s]);
		int rc = 1;
		struct hh_layout l;
		size_t e = 0;
		for (size_t i = 0; i < nn && rc == 1; i++)
			rc = store_export((enum store)s, roots[s], names[i], lim, o, &l, &e, where, sizeof(where), err,
					  sizeof(err));
		if (rc < 0) {
			hh_err("scan: %s: %s %s: %s", target, store_label[s], roots[s], err);
			return -1;
		}
		if (rc == 1)
			continue;
		hh_info("scan: %s: found in %s %s as %s", target, store_label[s], roots[s], where);
		*errors += (long)e;
		if (o->platform && s != CONTAINERD)
			hh_warn("scan: %s: --platform applies to registry pulls and containerd indexes; "
				"the %s image is scanned as it is", target, store_label[s]);
		scan_layout(target, l.dir, NULL, content, lim, on_result, user, errors);
		hh_layout_remove(&l);
		return 0;
	}
	if (!searched[0])
		snprintf(searched, sizeof(searched), "any local store (none of %s, %s, %s exists)", roots[CSTORAGE],
			 roots[CONTAINERD], roots[DOCKER]);
	return 1;
}

long hh_scan_ref(const char *target, struct hh_content *content, const struct hh_scan_limits *lim,
		 const struct hh_ref_opts *o, hh_ref_result_fn on_result, void *user)
{
	struct stat st;
	struct hh_image_ref ref;
	if (lstat(target, &st) == 0 || looks_like_file(target) || hh_image_ref_parse(target, &ref) < 0)
		return -1;
	long errors = 0;
	char err[1200];
	if (o->local) {
		int rc = scan_local(target, &ref, content, lim, o, on_result, user, &errors);
		if (rc == 0)
			return errors;
		if (rc < 0)
			return errors + 1;
		if (!o->remote) {
			hh_err("scan: %s: not in %s (and --image-src excludes remote)", target, searched);
			return errors + 1;
		}
	}
	if (!o->remote)
		return errors + 1;
	struct hh_registry_opts ro = { .platform = o->platform, .insecure = o->insecure,
				       .max_json = lim->max_json_bytes, .max_blob = lim->max_total_bytes };
	static struct hh_pulled pulled[HH_REGISTRY_MAX_PLATFORMS];
	size_t perr = 0;
	int n = hh_registry_pull(&ref, &ro, pulled, HH_REGISTRY_MAX_PLATFORMS, &perr, err, sizeof(err));
	errors += (long)perr;
	if (n < 0) {
		hh_err("scan: %s: %s", target, err);
		return errors + 1;
	}
	for (int i = 0; i < n; i++) {
		hh_info("scan: %s: scanning %s%s", target, pulled[i].platform[0] ? pulled[i].platform : "the image",
			n > 1 ? " (one of several platforms)" : "");
		scan_layout(target, pulled[i].layout.dir, pulled[i].platform, content, lim, on_result, user, &errors);
		hh_layout_remove(&pulled[i].layout);
	}
	return errors;
}
