/* Scan target detection and image manifests (see image_source.h). */
#include "sources/image/image_source.h"
#include "sources/image/open_beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *hh_target_kind_name(enum hh_target_kind k)
{
	switch (k) {
	case HH_TARGET_DOCKER_ARCHIVE: return "docker-archive";
	case HH_TARGET_OCI_LAYOUT: return "oci-layout";
	case HH_TARGET_OCI_ARCHIVE: return "oci-archive";
	case HH_TARGET_DOCKER_DIR: return "docker-archive directory";
	case HH_TARGET_TAR: return "tar archive";
	case HH_TARGET_DIR: return "directory";
	default: return "file";
	}
}

bool hh_digest_valid(const char *s)
{
	const char *colon = strchr(s, ':');
	if (!colon || colon == s || colon - s > 16)
		return false;
	for (const char *p = s; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			return false;
	size_t n = strlen(colon + 1);
	if (n < 32 || n > 128)
		return false;
	for (const char *p = colon + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'f') || (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

/* A member name from a manifest must stay inside the target. */
static bool member_safe(const char *m)
{
	if (!*m || m[0] == '/')
		return false;
	for (const char *p = m; *p;) {
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += l;
		while (*p == '/')
			p++;
	}
	return true;
}

static bool is_dir_target(const struct hh_image *img)
{
	return img->kind == HH_TARGET_OCI_LAYOUT || img->kind == HH_TARGET_DOCKER_DIR;
}

/* Opens a member: archive (index) or directory (openat, no symlink at the end). */
static int member_region(const struct hh_image *img, const char *member, struct hh_blob_src *src, uint64_t *off,
			 uint64_t *size, int *fd_out, char *err, size_t errlen)
{
	*fd_out = -1;
	if (!member_safe(member)) {
		snprintf(err, errlen, "%s: member name leaves the image (absolute or \"..\")", member);
		return -1;
	}
	if (is_dir_target(img)) {
		/* every component relative to the target: a symlinked "blobs" or
		 * directory in a manifest path must not lead out of it */
		int dfd = open(img->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			snprintf(err, errlen, "%s: %s", img->target, strerror(errno));
			return -1;
		}
		int fd = hh_open_beneath(dfd, member, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, err, errlen);
		close(dfd);
		struct stat st;
		if (fd < 0)
			return -1;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "%s: not a regular file", member);
			close(fd);
			return -1;
		}
		*src = (struct hh_blob_src){ fd, NULL, (uint64_t)st.st_size };
		*off = 0;
		*size = (uint64_t)st.st_size;
		*fd_out = fd;
		return 0;
	}
	const struct hh_tar_entry *e = hh_tar_index_find(&img->idx, member);
	if (!e || (e->type != '0' && e->type != '7')) {
		snprintf(err, errlen, "%s: not found in the archive", member);
		return -1;
	}
	*src = img->src;
	*off = e->offset;
	*size = e->size;
	return 0;
}

json_t *hh_image_read_json(const struct hh_image *img, const char *member, uint64_t max, char *err, size_t errlen)
{
	struct hh_blob_src src;
	uint64_t off, size;
	int fd;
	if (member_region(img, member, &src, &off, &size, &fd, err, errlen) < 0)
		return NULL;
	json_t *j = NULL;
	if (size > max) {
		snprintf(err, errlen, "%s: %llu bytes, over scan.max_json_bytes (%llu)", member, (unsigned long long)size,
			 (unsigned long long)max);
		goto out;
	}
	char *buf = malloc((size_t)size + 1);
	if (!buf || hh_blob_read(&src, off, buf, (size_t)size) != (long long)size) {
		snprintf(err, errlen, "%s: %s", member, buf ? "short read" : "out of memory");
		free(buf);
		goto out;
	}
	json_error_t je;
	j = json_loadb(buf, (size_t)size, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		snprintf(err, errlen, "%s: malformed JSON at line %d column %d: %s", member, je.line, je.column, je.text);
	free(buf);
out:
	if (fd >= 0)
		close(fd);
	return j;
}

static void push_layer(struct hh_image *img, const char *member, const char *digest, const char *mt)
{
	struct hh_image_layer *nl = realloc(img->layers, (img->n_layers + 1) * sizeof(*nl));
	if (!nl)
		return;
	img->layers = nl;
	struct hh_image_layer *l = &img->layers[img->n_layers++];
	memset(l, 0, sizeof(*l));
	snprintf(l->member, sizeof(l->member), "%s", member);
	snprintf(l->digest, sizeof(l->digest), "%s", digest);
	snprintf(l->media_type, sizeof(l->media_type), "%s", mt ? mt : "");
}

static void blob_member(const char *digest, char *out, size_t n)
{
	const char *colon = strchr(digest, ':');
	snprintf(out, n, "blobs/%.*s/%s", (int)(colon - digest), digest, colon + 1);
}

/* Label for a docker-archive layer member: a digest when its name holds one. */
static void docker_layer_digest(const char *member, char *out, size_t n)
{
	const char *b = member;
	if (!strncmp(b, "blobs/sha256/", 13))
		b += 13;
	size_t hex = 0;
	while ((b[hex] >= '0' && b[hex] <= '9') || (b[hex] >= 'a' && b[hex] <= 'f'))
		hex++;
	if (hex == 64)
		snprintf(out, n, "sha256:%.64s", b);
	else
		snprintf(out, n, "%s", member);
}

/* Uses the config's rootfs.diff_ids as layer ids: the same for every save format. */
static void apply_diff_ids(struct hh_image *img)
{
	json_t *ids = img->config ? json_object_get(json_object_get(img->config, "rootfs"), "diff_ids") : NULL;
	if (!json_is_array(ids) || json_array_size(ids) != img->n_layers)
		return;
	for (size_t i = 0; i < img->n_layers; i++) {
		const char *d = json_string_value(json_array_get(ids, i));
		if (d && hh_digest_valid(d))
			snprintf(img->layers[i].digest, sizeof(img->layers[i].digest), "%s", d);
	}
}

static void open_docker(struct hh_image *img, const struct hh_scan_limits *lim, hh_image_err_fn errfn, void *user)
{
	char err[512];
	json_t *m = hh_image_read_json(img, "manifest.json", lim->max_json_bytes, err, sizeof(err));
	if (!m) {
		errfn(user, "manifest.json", err);
		return;
	}
	json_t *first = json_array_get(m, 0);
	if (!json_is_object(first)) {
		errfn(user, "manifest.json", "expected an array of image objects");
		json_decref(m);
		return;
	}
	if (json_array_size(m) > 1)
		errfn(user, "manifest.json", "several images in one archive: only the first is scanned");
	const char *cfg = json_string_value(json_object_get(first, "Config"));
	json_t *tags = json_object_get(first, "RepoTags");
	for (size_t i = 0, used = 0; i < json_array_size(tags); i++) {
		const char *t = json_string_value(json_array_get(tags, i));
		if (t && used < sizeof(img->tags) - 2)
			used += (size_t)snprintf(img->tags + used, sizeof(img->tags) - used, "%s%s", used ? "," : "", t);
	}
	if (cfg) {
		snprintf(img->config_member, sizeof(img->config_member), "%s", cfg);
		img->config = hh_image_read_json(img, cfg, lim->max_json_bytes, err, sizeof(err));
		if (!img->config)
			errfn(user, cfg, err);
	} else {
		errfn(user, "manifest.json", "no Config member named");
	}
	json_t *layers = json_object_get(first, "Layers");
	if (!json_is_array(layers))
		errfn(user, "manifest.json", "no Layers array");
	for (size_t i = 0; i < json_array_size(layers); i++) {
		const char *l = json_string_value(json_array_get(layers, i));
		if (!l || !member_safe(l)) {
			errfn(user, "manifest.json", "a layer name is missing or leaves the archive; skipped");
			continue;
		}
		if ((int)img->n_layers >= lim->max_layers) {
			errfn(user, "manifest.json", "more layers than scan.max_layers; the rest skipped");
			break;
		}
		char dg[80];
		docker_layer_digest(l, dg, sizeof(dg));
		push_layer(img, l, dg, NULL);
	}
	apply_diff_ids(img);
	json_decref(m);
}

static bool is_index_type(const char *mt)
{
	return mt && (strstr(mt, "image.index") || strstr(mt, "manifest.list"));
}

/* Picks a manifest from an index: linux/amd64 when platforms are given, else the first. */
static json_t *pick_manifest(json_t *manifests)
{
	for (size_t i = 0; i < json_array_size(manifests); i++) {
		json_t *p = json_object_get(json_array_get(manifests, i), "platform");
		const char *os = json_string_value(json_object_get(p, "os"));
		const char *arch = json_string_value(json_object_get(p, "architecture"));
		if (os && arch && !strcmp(os, "linux") && !strcmp(arch, "amd64"))
			return json_array_get(manifests, i);
	}
	return json_array_get(manifests, 0);
}

static void open_oci(struct hh_image *img, const struct hh_scan_limits *lim, hh_image_err_fn errfn, void *user)
{
	char err[512], member[300], where[300] = "index.json";
	json_t *doc = hh_image_read_json(img, "index.json", lim->max_json_bytes, err, sizeof(err));
	if (!doc) {
		errfn(user, "index.json", err);
		return;
	}
	/* index -> (nested indexes) -> manifest */
	for (int hop = 0; hop < 4; hop++) {
		json_t *desc = pick_manifest(json_object_get(doc, "manifests"));
		const char *dgv = json_string_value(json_object_get(desc, "digest"));
		const char *mtv = json_string_value(json_object_get(desc, "mediaType"));
		char dg[160], mtb[128];
		snprintf(dg, sizeof(dg), "%s", dgv ? dgv : "");
		snprintf(mtb, sizeof(mtb), "%s", mtv ? mtv : "");
		const char *mt = mtv ? mtb : NULL;
		if (!dgv || !hh_digest_valid(dg)) {
			errfn(user, where, "no valid manifest digest");
			json_decref(doc);
			return;
		}
		json_t *ann = json_object_get(json_object_get(desc, "annotations"), "org.opencontainers.image.ref.name");
		if (json_is_string(ann) && !img->tags[0])
			snprintf(img->tags, sizeof(img->tags), "%s", json_string_value(ann));
		blob_member(dg, member, sizeof(member));
		json_decref(doc);
		doc = hh_image_read_json(img, member, lim->max_json_bytes, err, sizeof(err));
		snprintf(where, sizeof(where), "%s", dg);
		if (!doc) {
			errfn(user, dg, err);
			return;
		}
		if (!is_index_type(mt) && !json_is_array(json_object_get(doc, "manifests")))
			break;
	}
	const char *cdg = json_string_value(json_object_get(json_object_get(doc, "config"), "digest"));
	if (cdg && hh_digest_valid(cdg)) {
		blob_member(cdg, img->config_member, sizeof(img->config_member));
		img->config = hh_image_read_json(img, img->config_member, lim->max_json_bytes, err, sizeof(err));
		if (!img->config)
			errfn(user, cdg, err);
	} else {
		errfn(user, where, "manifest has no valid config digest");
	}
	json_t *layers = json_object_get(doc, "layers");
	if (!json_is_array(layers))
		errfn(user, where, "manifest has no layers array");
	for (size_t i = 0; i < json_array_size(layers); i++) {
		json_t *l = json_array_get(layers, i);
		const char *dg = json_string_value(json_object_get(l, "digest"));
		if (!dg || !hh_digest_valid(dg)) {
			errfn(user, where, "a layer digest is missing or invalid; skipped");
			continue;
		}
		if ((int)img->n_layers >= lim->max_layers) {
			errfn(user, where, "more layers than scan.max_layers; the rest skipped");
			break;
		}
		blob_member(dg, member, sizeof(member));
		push_layer(img, member, dg, json_string_value(json_object_get(l, "mediaType")));
	}
	apply_diff_ids(img);
	json_decref(doc);
}

int hh_image_open(const char *target, const struct hh_scan_limits *lim, struct hh_image *img, hh_image_err_fn errfn,
		  void *user, char *err, size_t errlen)
{
	memset(img, 0, sizeof(*img));
	img->fd = -1;
	snprintf(img->target, sizeof(img->target), "%s", target);
	struct stat st;
	if (stat(target, &st) < 0) {
		snprintf(err, errlen, "%s: %s", target, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		char p[1100];
		struct stat s2;
		snprintf(p, sizeof(p), "%s/oci-layout", target);
		bool oci = stat(p, &s2) == 0;
		snprintf(p, sizeof(p), "%s/index.json", target);
		oci = oci && stat(p, &s2) == 0;
		snprintf(p, sizeof(p), "%s/manifest.json", target);
		bool docker = !oci && stat(p, &s2) == 0 && S_ISREG(s2.st_mode);
		if (oci) {
			img->kind = HH_TARGET_OCI_LAYOUT;
			open_oci(img, lim, errfn, user);
		} else if (docker) {
			img->kind = HH_TARGET_DOCKER_DIR;
			open_docker(img, lim, errfn, user);
		} else {
			img->kind = HH_TARGET_DIR;
		}
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file or directory", target);
		return -1;
	}
	img->fd = open(target, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0) {
		snprintf(err, errlen, "%s: %s", target, strerror(errno));
		return -1;
	}
	img->src = (struct hh_blob_src){ img->fd, NULL, (uint64_t)st.st_size };
	uint8_t head[512];
	long long got = hh_blob_read(&img->src, 0, head, sizeof(head));
	if (got == 512 && hh_tar_header_valid(head)) {
		char ierr[512];
		int rc = hh_tar_index_build(&img->src, (size_t)lim->max_entries, &img->idx, ierr, sizeof(ierr));
		if (rc < 0)
			errfn(user, "archive", ierr);
		bool oci = hh_tar_index_find(&img->idx, "oci-layout") && hh_tar_index_find(&img->idx, "index.json");
		bool docker = hh_tar_index_find(&img->idx, "manifest.json") != NULL;
		if (oci) {
			img->kind = HH_TARGET_OCI_ARCHIVE;
			open_oci(img, lim, errfn, user);
		} else if (docker) {
			img->kind = HH_TARGET_DOCKER_ARCHIVE;
			open_docker(img, lim, errfn, user);
		} else if (rc < 0) {
			/* A damaged image archive (cut short) loses its trailing manifest:
			 * scan the layer-like members that are there, in archive order. */
			img->kind = HH_TARGET_DOCKER_ARCHIVE;
			errfn(user, "manifest.json", "no manifest in the damaged archive: scanning the layer members found, in archive order");
			for (size_t i = 0; i < img->idx.n && (int)img->n_layers < lim->max_layers; i++) {
				const struct hh_tar_entry *e = &img->idx.e[i];
				uint8_t h[512];
				if (e->type != '0' || e->size < 512 || hh_blob_read(&img->src, e->offset, h, sizeof(h)) != 512)
					continue;
				if (!hh_tar_header_valid(h) && !hh_looks_archive(h, sizeof(h)))
					continue;
				char dg[80];
				docker_layer_digest(e->name, dg, sizeof(dg));
				push_layer(img, e->name, dg, NULL);
			}
		} else {
			img->kind = HH_TARGET_TAR;
		}
		return 0;
	}
	/* Compressed tars are walked as one layer; anything else is one file. */
	if (got >= 6 && (!memcmp(head, "\x1f\x8b", 2) || !memcmp(head, "\x28\xb5\x2f\xfd", 4) ||
			 !memcmp(head, "\xfd" "7zXZ", 5) || !memcmp(head, "BZh", 3)))
		img->kind = HH_TARGET_TAR;
	else
		img->kind = HH_TARGET_FILE;
	return 0;
}

void hh_image_close(struct hh_image *img)
{
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
	hh_tar_index_free(&img->idx);
	json_decref(img->config);
	img->config = NULL;
	free(img->layers);
	img->layers = NULL;
	img->n_layers = 0;
}

int hh_image_layer_region(const struct hh_image *img, size_t i, struct hh_blob_src *src, uint64_t *off,
			  uint64_t *size, int *fd_out, char *err, size_t errlen)
{
	if (i >= img->n_layers) {
		snprintf(err, errlen, "layer %zu out of range", i);
		return -1;
	}
	return member_region(img, img->layers[i].member, src, off, size, fd_out, err, errlen);
}
