/* Image references as scan targets (see scan_ref.h). */
#include "cli/scan_ref.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "sources/image/cstorage.h"
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
		char root[1024], name[760];
		hh_cstorage_root(o->storage_root, root, sizeof(root));
		struct hh_layout l;
		size_t e = 0;
		/* names as the store writes them; an id prefix as given */
		int rc = hh_cstorage_export(root, ref.name, lim->max_total_bytes, &l, &e, name, sizeof(name), err,
					    sizeof(err));
		if (rc == 1 && !strchr(target, '/') && !strchr(target, ':') && !strchr(target, '@'))
			rc = hh_cstorage_export(root, target, lim->max_total_bytes, &l, &e, name, sizeof(name), err,
						sizeof(err));
		if (rc == 1 && !strchr(target, '/') && ref.tag[0]) {
			/* podman's short names: a local build is localhost/NAME:TAG */
			char local[700];
			snprintf(local, sizeof(local), "localhost/%.300s:%.128s", ref.repo + 8, ref.tag);
			rc = hh_cstorage_export(root, local, lim->max_total_bytes, &l, &e, name, sizeof(name), err,
						sizeof(err));
		}
		if (rc == 0) {
			hh_info("scan: %s: found in containers-storage %s as %s", target, root, name);
			errors += (long)e;
			if (o->platform)
				hh_warn("scan: %s: --platform applies to registry pulls; the local image is scanned as it is",
					target);
			scan_layout(target, l.dir, NULL, content, lim, on_result, user, &errors);
			hh_layout_remove(&l);
			return errors;
		}
		if (rc < 0) {
			hh_err("scan: %s: containers-storage %s: %s", target, root, err);
			return errors + 1;
		}
		if (!o->remote) {
			hh_err("scan: %s: not in containers-storage %s (and --image-src excludes remote)", target, root);
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
