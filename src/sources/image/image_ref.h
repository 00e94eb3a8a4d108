/* Image references as `podman pull` and Trivy take them:
 * [REGISTRY/]REPOSITORY[:TAG][@sha256:HEX]. A first component with a '.' or a
 * ':' or equal to "localhost" is the registry; otherwise the registry is
 * docker.io and a one-component repository gets "library/". The tag defaults
 * to "latest" when no digest is given. */
#ifndef HH_IMAGE_REF_H
#define HH_IMAGE_REF_H

struct hh_image_ref {
	char registry[256];   /* host[:port] */
	char repo[256];       /* path inside the registry */
	char tag[130];        /* "" when only a digest was given */
	char digest[80];      /* "" when not given */
	char name[700];       /* registry/repo:tag (or @digest): the canonical name */
};

/* Returns 0, or -1 when s is not a valid reference. */
int hh_image_ref_parse(const char *s, struct hh_image_ref *r);

#endif
