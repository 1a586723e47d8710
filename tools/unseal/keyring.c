/* SPDX-License-Identifier: ISC */
/*
 * keyring.c - unseal's identities: every *.agekey and keys.txt of the key
 * directory, then what sops's SOPS_AGE_KEY_FILE, SOPS_AGE_KEY and
 * SOPS_AGE_SSH_PRIVATE_KEY_FILE name. Each identity is kept alone under
 * its recipient in a hash table, so a file's key is found from the
 * recipients its metadata names, at a cost that does not grow with the
 * number of keys loaded (no trial decryption).
 *
 * The directory may be a Kubernetes Secret volume: read-only, entries
 * that are symlinks through "..data", modes 0400/0440/0444 chosen by the
 * kubelet, files owned by another uid. Such files are accepted; a key
 * file that others may write, or a group- or world-readable one on a
 * writable file system outside that layout, is refused. Nothing here
 * reads the environment variables that app authors control.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <sodium.h>

#include "tools/common/util.h"
#include "tools/unseal/unseal.h"

#define KEYFILE_MAX (1u << 20)
#define MAX_KEYS    65536u

struct slot {
	char *rcpt; /* NULL: empty */
	seal_identity *id;
};

struct unseal_keyring {
	struct slot *slots;
	size_t cap, n;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
};

/* The part of a recipient that names the key: "age1..." or the first two
 * fields of an SSH public key line (type and key, without comment). */
static size_t
rcpt_len(const char *r)
{
	const char *sp = strchr(r, ' ');

	if (sp == NULL)
		return strlen(r);
	sp = strchr(sp + 1, ' ');
	return sp == NULL ? strlen(r) : (size_t)(sp - r);
}

static size_t
slot_of(const struct unseal_keyring *k, const char *r, size_t len)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;
	size_t i;

	crypto_shorthash(h, (const unsigned char *)r, len, k->hkey);
	memcpy(&v, h, sizeof(v));
	for (i = (size_t)(v & (k->cap - 1));; i = (i + 1) & (k->cap - 1)) {
		const struct slot *s = &k->slots[i];
		if (s->rcpt == NULL ||
		    (strlen(s->rcpt) == len && memcmp(s->rcpt, r, len) == 0))
			return i;
	}
}

static int
grow(struct unseal_keyring *k)
{
	struct slot *old = k->slots;
	size_t oldcap = k->cap, i;

	k->cap = oldcap ? oldcap * 2 : 64;
	if ((k->slots = calloc(k->cap, sizeof(*k->slots))) == NULL) {
		k->slots = old;
		k->cap = oldcap;
		return -1;
	}
	for (i = 0; i < oldcap; i++)
		if (old[i].rcpt != NULL)
			k->slots[slot_of(k, old[i].rcpt, strlen(old[i].rcpt))] =
			    old[i];
	free(old);
	return 0;
}

/* Take one identity (a set of one); a second copy of a key is dropped. */
static int
add_one(seal_ctx *ctx, struct unseal_keyring *k, seal_identity *id,
    const char *what)
{
	char *r = NULL;
	size_t i, len;

	if (seal_identity_recipient(ctx, id, 0, &r) != SEAL_OK) {
		error("%s: %s", what, seal_ctx_errmsg(ctx));
		seal_identity_free(id);
		return -1;
	}
	len = rcpt_len(r);
	r[len] = '\0';
	if (k->n >= MAX_KEYS) {
		error("%s: more than %u keys", what, MAX_KEYS);
		goto fail;
	}
	if ((k->n + 1) * 2 > k->cap && grow(k) != 0) {
		error("out of memory");
		goto fail;
	}
	i = slot_of(k, r, len);
	if (k->slots[i].rcpt != NULL) {
		seal_identity_free(id);
		free(r);
		return 0;
	}
	k->slots[i].rcpt = r;
	k->slots[i].id = id;
	k->n++;
	return 0;
fail:
	free(r);
	seal_identity_free(id);
	return -1;
}

/* Identity text (an age identity file, or an OpenSSH key) into k. */
static int
add_text(seal_ctx *ctx, struct unseal_keyring *k, const char *buf,
    size_t len, const char *what)
{
	seal_identity *id = NULL;
	const char *p = buf, *end = buf + len, *nl;

	if (memmem(buf, len, "-----BEGIN", 10) != NULL) {
		if (seal_identity_parse(ctx, buf, len, &id) != SEAL_OK) {
			error("cannot read the key in %s: %s", what,
			    seal_ctx_errmsg(ctx));
			return -1;
		}
		return add_one(ctx, k, id, what);
	}
	/* the whole file must parse (any bad line fails it, as age) ... */
	if (seal_identity_parse(ctx, buf, len, &id) != SEAL_OK) {
		error("cannot read the age identities in %s: %s", what,
		    seal_ctx_errmsg(ctx));
		return -1;
	}
	seal_identity_free(id);
	/* ... then each key line is kept alone under its recipient */
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		while (p < nl && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(nl - p) < 15 || memcmp(p, "AGE-SECRET-KEY-", 15))
			continue;
		id = NULL;
		if (seal_identity_parse(ctx, p, (size_t)(nl - p), &id) !=
		    SEAL_OK) {
			error("cannot read the age identities in %s: %s", what,
			    seal_ctx_errmsg(ctx));
			return -1;
		}
		if (add_one(ctx, k, id, what) != 0)
			return -1;
	}
	return 0;
}

/*
 * Open a key file and check it on the descriptor. k8s: the file sits in a
 * Kubernetes Secret volume layout (its directory holds "..data").
 */
static int
open_key(const char *path, bool k8s)
{
	struct statvfs vfs;
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		error("cannot open the key file '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		error("the key file '%s' is not a regular file", path);
		goto fail;
	}
	if (st.st_mode & 022) {
		error("the key file '%s' may be written by others; make it "
		      "0400 or 0600",
		    path);
		goto fail;
	}
	if ((st.st_mode & 044) && !k8s &&
	    !(fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))) {
		error("the key file '%s' is readable by others; chmod 600 it, "
		      "or mount it read-only",
		    path);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static int
add_file(seal_ctx *ctx, struct unseal_keyring *k, const char *path, bool k8s)
{
	unsigned char *buf = NULL, *nb;
	size_t len = 0, cap = 4096;
	char what[PATH_MAX + 8];
	ssize_t got;
	int fd, rc = -1;

	if ((fd = open_key(path, k8s)) < 0)
		return -1;
	if ((buf = sodium_malloc(cap)) == NULL)
		goto oom;
	for (;;) {
		if (len == cap) {
			if (cap >= KEYFILE_MAX) {
				error("the key file '%s' is over 1 MiB", path);
				goto out;
			}
			if ((nb = sodium_malloc(cap * 2)) == NULL)
				goto oom;
			memcpy(nb, buf, len);
			sodium_free(buf);
			buf = nb;
			cap *= 2;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			error("cannot read the key file '%s': %s", path,
			    strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	snprintf(what, sizeof(what), "'%s'", path);
	rc = add_text(ctx, k, (const char *)buf, len, what);
	goto out;
oom:
	error("out of secure memory");
out:
	if (buf != NULL)
		sodium_free(buf);
	close(fd);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
is_key_name(const char *n)
{
	size_t l = strlen(n);

	if (n[0] == '.')
		return false;
	return strcmp(n, "keys.txt") == 0 ||
	    (l > 7 && strcmp(n + l - 7, ".agekey") == 0);
}

static int
add_dir(seal_ctx *ctx, struct unseal_keyring *k, const char *dir)
{
	char **names = NULL, path[PATH_MAX];
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	struct stat st;
	bool k8s;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		error("cannot open the key directory '%s': %s", dir,
		    strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/..data", dir);
	k8s = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
	while ((de = readdir(d)) != NULL) {
		if (!is_key_name(de->d_name))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) *
			        sizeof(*names));
			if (nn == NULL) {
				rc = -1;
				break;
			}
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc != 0)
		error("out of memory");
	if (names != NULL)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rc = add_file(ctx, k, path, k8s);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int
keyring_load(seal_ctx *ctx, const char *dir, struct unseal_keyring **out)
{
	struct unseal_keyring *k;
	const char *v;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL || grow(k) != 0) {
		free(k);
		error("out of memory");
		return -1;
	}
	randombytes_buf(k->hkey, sizeof(k->hkey));
	if (dir != NULL && add_dir(ctx, k, dir) != 0)
		goto fail;
	if ((v = getenv("SOPS_AGE_KEY_FILE")) != NULL && *v &&
	    add_file(ctx, k, v, false) != 0)
		goto fail;
	if ((v = getenv("SOPS_AGE_SSH_PRIVATE_KEY_FILE")) != NULL && *v &&
	    add_file(ctx, k, v, false) != 0)
		goto fail;
	if ((v = getenv("SOPS_AGE_KEY")) != NULL && *v &&
	    add_text(ctx, k, v, strlen(v), "SOPS_AGE_KEY") != 0)
		goto fail;
	*out = k;
	return 0;
fail:
	keyring_free(k);
	return -1;
}

void
keyring_free(struct unseal_keyring *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->cap; i++) {
		free(k->slots[i].rcpt);
		seal_identity_free(k->slots[i].id);
	}
	free(k->slots);
	sodium_memzero(k->hkey, sizeof(k->hkey));
	free(k);
}

size_t
keyring_count(const struct unseal_keyring *k)
{
	return k ? k->n : 0;
}

const seal_identity *
keyring_find(const struct unseal_keyring *k, const char *rcpt)
{
	size_t i, len;

	if (k == NULL || k->n == 0)
		return NULL;
	len = rcpt_len(rcpt);
	i = slot_of(k, rcpt, len);
	return k->slots[i].rcpt != NULL ? k->slots[i].id : NULL;
}
