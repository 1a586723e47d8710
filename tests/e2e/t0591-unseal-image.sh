#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0591-unseal-image.sh - the image of deploy/image/Containerfile, without
# a container runtime. Its final stage is laid out in an empty directory
# (tests/e2e/image-root.py: each COPY of the final stage, the static-PIE
# unseal of this build for the unseal stage), and unseal runs there under
# unshare: a new root holding only the image's files, a key directory
# mounted the way Kubernetes mounts a Secret (read-only, ..data symlinks,
# 0440, owned by another uid) and the application, no network, uid 999,
# read-only root. It renders the application as Argo CD's sidecar would,
# and as the container route of a kustomize KRM function (kubectl
# kustomize with a stand-in for docker that runs the image that way).
# Also the static half of the decrypt-only check: the unstripped
# static-PIE unseal defines no name of tests/unseal-denylist.txt.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
for p in readelf nm unshare python3 kubectl; do t_need_prog "$p"; done
B=$SEAL_BUILDDIR
if grep -q '^SAN_CFLAGS = .*-fsanitize' "$B/Makefile" 2>/dev/null; then
	# sanitizer builds link every program dynamically: no static image
	echo "1..0 # SKIP a sanitizer build cannot link static-PIE"; exit 0
fi
if ! unshare -r -m -n true 2>/dev/null; then
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - unshare -r -m -n fails in CI"; echo "1..1"; exit 1
	fi
	echo "1..0 # SKIP user and mount namespaces are not available"; exit 0
fi
D=$SEAL_SRCDIR/deploy

static_pie() { # FILE: ELF PIE with no program interpreter and no NEEDED
	readelf -h "$1" 2>/dev/null | grep -q 'Type: *DYN' &&
		! readelf -l "$1" | grep -q 'program interpreter' &&
		! readelf -d "$1" | grep -q NEEDED
}

# ---- 1. the static-PIE unseal ---------------------------------------------
U=
for c in "$B/unseal" "$B/.libs/unseal"; do
	if [ -f "$c" ] && static_pie "$c"; then U=$c; break; fi
done
how="of this build"
if [ -z "$U" ]; then
	# This build links unseal dynamically (the default): link the same
	# objects here the way the Containerfile's build stage does, with the
	# libraries and link flags it gives make.
	how="linked here from this build's objects as the Containerfile links it"
	# (configure --enable-static-pie: libseal's objects and every library,
	# -static-pie; the Containerfile adds its LDFLAGS, --gc-sections)
	cf_ldadd='libseal/libseal-core.la $(CORE_LIBS)'
	cf_ldflags="-static-pie -Wl,-z,pack-relative-relocs $(sed -n "s/.* LDFLAGS='\([^']*\)'.*/\1/p" "$D/image/Containerfile")"
	grep -q -- '--enable-static-pie' "$D/image/Containerfile" || cf_ldflags=
	cat >print.mk <<'MK'
print-unseal-link:
	@echo 'objs=( $(unseal_OBJECTS) )'
	@echo 'libs=( $(CF_LDADD) )'
	@echo 'cc="$(CC)"'
	@echo 'flags="$(AM_CFLAGS) $(CFLAGS) $(AM_LDFLAGS)"'
MK
	if [ -n "$cf_ldadd" ] && [ -n "$cf_ldflags" ] &&
	    make -s -C "$B" unseal libseal/libseal-core.la >/dev/null 2>&1 &&
	    make -s --no-print-directory -C "$B" -f Makefile -f "$T_TMP/print.mk" \
		print-unseal-link CF_LDADD="$cf_ldadd" 2>/dev/null |
		grep -E '^(objs|libs|cc|flags)=' >link.sh; then
		. ./link.sh
		(cd "$B" && ./libtool --quiet --tag=CC --mode=link $cc $flags $cf_ldflags \
			-o "$T_TMP/unseal-static" "${objs[@]}" "${libs[@]}") >link.log 2>&1
		[ -f "$T_TMP/unseal-static" ] && U=$T_TMP/unseal-static
	fi
fi
if [ -z "$U" ]; then
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - no static-PIE unseal and none could be linked"
		sed 's/^/# /' link.log 2>/dev/null | head -20; echo "1..1"; exit 1
	fi
	echo "1..0 # SKIP no static-PIE unseal (static libraries missing?)"; exit 0
fi
t_check "unseal $how is static-PIE: position-independent, no interpreter, no shared library" \
	static_pie "$U"
echo "# unseal: $U"

# the static half of the decrypt-only check
grep -v '^#' "$SEAL_SRCDIR/tests/unseal-denylist.txt" | sed '/^$/d' | sort -u >deny
nm --defined-only "$U" 2>/dev/null | awk '{ print $NF }' | sort -u >defined
t_check "the static unseal is not stripped (the check sees its libseal calls)" \
	grep -qx seal_sops_decrypt defined
t_check "it defines no sealing, re-wrapping or key-making call" \
	bash -c '! comm -12 deny defined | grep .'
comm -12 deny defined | sed 's/^/# defined: /'
if [ -f "$B/seal" ] && static_pie "$B/seal" || readelf -h "$B/seal" 2>/dev/null | grep -q 'Type: *EXEC'; then
	nm --defined-only "$B/seal" | awk '{ print $NF }' | sort -u >seal-defined
	t_check "... while the same check finds them in the static seal" \
		bash -c 'comm -12 deny seal-defined | grep -q .'
fi

# ---- 2. the image's root --------------------------------------------------
mkdir image
"python3" "$SEAL_SRCDIR/tests/e2e/image-root.py" "$D/image/Containerfile" \
	"$SEAL_SRCDIR" "$T_TMP/image" "unseal=$U" >image.env
t_check "the Containerfile's final stage can be laid out" test -s image.env
. ./image.env
# The image's kustomize comes from a Go build stage this machine cannot
# run; kubectl is a static Go binary too, and `unseal render` falls back to
# `kubectl kustomize` when no kustomize is on PATH.
kbin=$(readlink -f "$(command -v kubectl)")
kver=$(ls "$(dirname "$kbin")"/kubectl.1.* 2>/dev/null | sort -V | tail -1)
[ -n "$kver" ] || kver=$kbin
if [ "$IMG_SKIPPED" = kustomize ] && readelf -h "$kver" | grep -q 'Type: *EXEC' &&
    ! readelf -l "$kver" | grep -q 'program interpreter'; then
	cp "$kver" image/usr/local/bin/kubectl
fi
(cd image && find . -type f | sort) >files
printf '%s\n' ./home/argocd/cmp-server/config/plugin.yaml ./usr/local/bin/kubectl \
	./usr/local/bin/unseal | sort >files.want
t_cmp "the root holds only the image's files (kubectl standing in for kustomize)" files.want files
t_check "the image runs as uid 999, not root" test "${IMG_USER%%:*}" = 999

# ---- 3. keys as Kubernetes mounts a Secret, and an application ------------
"$SEAL" keygen -o shop.agekey 2>/dev/null
R=$("$SEAL" keygen -y shop.agekey)
"$SEAL" keygen -o other.agekey 2>/dev/null
RO=$("$SEAL" keygen -y other.agekey)
ts=..2026_12_03_16_00_00.000000001
mkdir -p keys/$ts
cp shop.agekey keys/$ts/shop.agekey
cat >keys/$ts/policy.yaml <<YAML
keys:
  - recipient: $R
    projects: [shop]
    namespaces: [shop]
YAML
ln -s $ts keys/..data
ln -s ..data/shop.agekey keys/shop.agekey
ln -s ..data/policy.yaml keys/policy.yaml
chmod 0440 keys/$ts/*
chmod 0755 keys/$ts
# owned by another uid; the group (0 here) is what the pod's fsGroup is,
# and becomes the process's group inside the namespace
chown -h 1234:0 keys/$ts/* 2>/dev/null || true

mkdir -p checkout/apps/shop checkout/apps/plain checkout/apps/kust
cat >checkout/apps/shop/db.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
type: Opaque
stringData:
  password: canary-7f3e9b1d
YAML
"$SEAL" encrypt -i -r "$R" checkout/apps/shop/db.yaml
cat >checkout/apps/shop/config.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
  namespace: shop
data:
  mode: production
YAML
cp checkout/apps/shop/config.yaml checkout/apps/plain/
cp checkout/apps/shop/db.yaml checkout/apps/kust/
cat >checkout/apps/kust/kustomization.yaml <<'YAML'
namespace: shop
namePrefix: prod-
resources: [db.yaml]
YAML
# a copy sealed for a key the sidecar does not hold, and a tampered one
mkdir -p checkout/apps/foreign checkout/apps/tampered
cat >checkout/apps/foreign/db.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
stringData:
  password: canary-7f3e9b1d
YAML
"$SEAL" encrypt -i -r "$RO" checkout/apps/foreign/db.yaml
python3 - checkout/apps/shop/db.yaml checkout/apps/tampered/db.yaml <<'PY'
import re, sys
s = open(sys.argv[1]).read()
# flip one base64 character of the sealed password's data
m = re.search(r"password: ENC\[AES256_GCM,data:(.)", s)
c = "A" if m.group(1) != "A" else "B"
open(sys.argv[2], "w").write(s[:m.start(1)] + c + s[m.end(1):])
PY

# run_image [VAR=VALUE]... -- WORKDIR COMMAND...: the command inside the
# image's root, read-only, with a fresh /tmp (Argo CD's emptyDir) holding
# the checkout, the keys at UNSEAL_KEYS read-only, no network, as IMG_USER,
# with the image's environment plus the given variables and nothing else.
run_image() {
	local vars=() wd
	while [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift; wd=$1; shift
	local kd
	for e in "${IMG_ENV[@]}"; do case $e in UNSEAL_KEYS=*) kd=${e#UNSEAL_KEYS=} ;; esac; done
	mkdir -p "image/tmp" "image/$kd"
	timeout -s TERM 60 unshare -r -m -n /bin/sh -c '
		set -e
		root=$1 keys=$2 kd=$3 co=$4; shift 4
		mount --bind "$root" "$root"
		mount -t tmpfs -o size=64m tmpfs "$root/tmp"
		mkdir -p "$root/tmp/_cmp_server/4c2a9e"
		cp -R "$co/." "$root/tmp/_cmp_server/4c2a9e/"
		mount --bind "$keys" "$root/$kd"
		mount -o remount,bind,ro "$root/$kd"
		mount -o remount,bind,ro "$root"
		exec "$@"' sh "$T_TMP/image" "$T_TMP/keys" "$kd" "$T_TMP/checkout" \
		env -i "${IMG_ENV[@]}" "${vars[@]}" \
		/usr/bin/unshare --map-user="${IMG_USER%%:*}" --map-group="${IMG_USER##*:}" \
		--root="$T_TMP/image" --wd="$wd" "$@"
}
cmd() { # the plugin's command from the plugin.yaml inside the image
	python3 -c 'import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["spec"]
c = s["generate"] if sys.argv[2] == "generate" else s["discover"]["find"]
print("\n".join(c["command"] + c.get("args", [])))' \
		image/home/argocd/cmp-server/config/plugin.yaml "$1"
}
mapfile -t GEN < <(cmd generate)
mapfile -t DISC < <(cmd discover)
argo() { # APP [VAR=VALUE]... -- COMMAND...: as argocd-cmp-server runs it
	local app=$1 vars=(); shift
	while [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift
	run_image ARGOCD_APP_NAME=shop ARGOCD_APP_NAMESPACE=shop ARGOCD_APP_PROJECT_NAME=shop \
		ARGOCD_APP_REVISION=0123456789abcdef0123456789abcdef01234567 \
		ARGOCD_APP_REVISION_SHORT=0123456 ARGOCD_APP_REVISION_SHORT_8=01234567 \
		ARGOCD_APP_SOURCE_PATH="apps/$app" \
		ARGOCD_APP_SOURCE_REPO_URL=https://git.example.org/shop.git \
		ARGOCD_APP_SOURCE_TARGET_REVISION=HEAD KUBE_VERSION=1.32.0 \
		KUBE_API_VERSIONS=v1,apps/v1 ARGOCD_ENV_KEYS=/tmp PARAM_KEYS=/tmp \
		"${vars[@]}" -- "/tmp/_cmp_server/4c2a9e/apps/$app" "$@"
}
rendered() { # FILE NAME: the Secret NAME in FILE has the sealed password
	python3 - "$@" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
s = [d for d in docs if d["kind"] == "Secret" and d["metadata"]["name"] == sys.argv[2]]
assert len(s) == 1, [d["metadata"]["name"] for d in docs]
assert s[0]["metadata"]["namespace"] == "shop"
assert s[0]["stringData"]["password"] == "canary-7f3e9b1d", "not decrypted"
assert "sops" not in s[0]
PY
}

# ---- 4. Argo CD's sidecar: discover and generate in the image -------------
t_ok "discover (from the image's plugin.yaml) matches the sealed app" argo shop -- "${DISC[@]}"
t_check "... and prints a line" test -s "$T_TMP/out"
t_exit 1 "discover does not match an app without sealed files" argo plain -- "${DISC[@]}"
t_check "... and prints nothing" test ! -s "$T_TMP/out"
t_ok "generate renders the app in the empty root, as uid 999, keys as Kubernetes mounts them" \
	argo shop -- "${GEN[@]}"
cp "$T_TMP/out" shop.out
t_ok "the Secret comes out decrypted, in its namespace" rendered shop.out db
t_check "the ConfigMap passes through" grep -q 'name: shop-config' shop.out
t_check "no ENC[ and no sops: left" bash -c '! grep -q -e "ENC\[" -e "^sops:" shop.out'
printf 'resources: [shop.out]\n' >kustomization.yaml
t_ok "kubectl kustomize accepts the output as resources" kubectl kustomize .
t_ok "a kustomization with namespace: and namePrefix: renders in the image" \
	argo kust -- "${GEN[@]}"
cp "$T_TMP/out" kust.out
t_ok "... the Secret renamed by kustomize and decrypted" rendered kust.out prod-db
t_exit 1 "a file sealed for a key the sidecar does not hold fails" argo foreign -- "${GEN[@]}"
t_check "... with nothing on stdout" test ! -s "$T_TMP/out"
t_exit 1 "a tampered file fails" argo tampered -- "${GEN[@]}"
t_check "... with nothing on stdout" test ! -s "$T_TMP/out"
t_fail "another destination namespace fails" argo shop ARGOCD_APP_NAMESPACE=other -- "${GEN[@]}"
t_check "... with nothing on stdout" test ! -s "$T_TMP/out"
t_check "no plaintext on stderr in any of them" bash -c '! grep -rq canary-7f3e9b1d "$0"/err' "$T_TMP"

# ---- 5. the container route of the KRM function ---------------------------
# A stand-in for `docker run` that runs the image as the root above: only
# the image's files and the mounts kustomize asks for, read-only, no
# network, as the --user given, with the -e variables and the entrypoint.
mkdir shim
cat >shim/docker <<SH
#!/usr/bin/env bash
set -u
[ "\$1" = run ] || { echo "docker stand-in: only run" >&2; exit 125; }
shift
mounts=() envs=() user=
while [ \$# -gt 0 ]; do
	case \$1 in
	--rm|-i) shift ;;
	-a|--network) shift 2 ;;
	--security-opt=*) shift ;;
	--user) user=\$2; shift 2 ;;
	--mount) mounts+=("\$2"); shift 2 ;;
	-e) case \$2 in *=*) envs+=("\$2") ;; *) [ -n "\${!2+x}" ] && envs+=("\$2=\${!2}") ;; esac; shift 2 ;;
	-*) echo "docker stand-in: unknown option \$1" >&2; exit 125 ;;
	*) break ;;
	esac
done
image=\$1; shift
[ "\$image" = "$(sed -n 's/^ *image: //p' "$D/kustomize/krm-container/unseal.yaml")" ] ||
	{ echo "docker stand-in: no image \$image" >&2; exit 125; }
. "$T_TMP/image.env"
run=\$(mktemp -d "$T_TMP/run.XXXXXX")
cp -a "$T_TMP/image" "\$run/root"
echo "\$user" >"\$run/user"
spec=
for m in "\${mounts[@]}"; do
	src=\$(sed 's/.*source=\([^,]*\).*/\1/' <<<"\$m")
	dst=\$(sed 's/.*target=\([^,]*\).*/\1/' <<<"\$m")
	ro=; case \$m in *readonly*) ro=1 ;; esac
	mkdir -p "\$run/root\$dst"
	spec="\$spec mount --bind '\$src' '\$run/root\$dst';"
	[ -n "\$ro" ] && spec="\$spec mount -o remount,bind,ro '\$run/root\$dst';"
done
uid=65534; [ "\$user" = nobody ] || uid=\${user%%:*}
unshare -r -m -n /bin/sh -c "set -e; mount --bind '\$run/root' '\$run/root'; \$spec
	mount -o remount,bind,ro '\$run/root'; exec \"\\\$@\"" sh \
	env -i "\${IMG_ENV[@]}" "\${envs[@]}" \
	/usr/bin/unshare --map-user=\$uid --map-group=\$uid --root="\$run/root" \
	--wd="\$IMG_WORKDIR" "\${IMG_ENTRYPOINT[@]}" "\$@"
SH
chmod +x shim/docker
cp -R "$D/kustomize/krm-container" krm
# On a workstation there is no Argo CD project, so a policy that names
# projects serves nothing there: these keys come without one.
mkdir keys-ws
cp shop.agekey keys-ws/
cat >krm/db-credentials.sealed.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  namespace: shop
stringData:
  password: canary-7f3e9b1d
YAML
"$SEAL" encrypt -i -r "$R" krm/db-credentials.sealed.yaml
t_ok "kubectl kustomize runs the container function through the image, keys from --mount" \
	env PATH="$T_TMP/shim:$PATH" kubectl kustomize --enable-alpha-plugins \
	--mount "type=bind,src=$T_TMP/keys-ws,dst=/var/run/unseal/keys" krm
cp "$T_TMP/out" krm.out
t_ok "... the Secret decrypted, renamed by namePrefix:" rendered krm.out prod-db-credentials
t_check "... and the Deployment's reference follows it" \
	grep -q 'name: prod-db-credentials' krm.out
t_check "the function ran as nobody, from the image" bash -c 'grep -qx nobody "$0"/run.*/user' "$T_TMP"
cp krm/db-credentials.sealed.yaml good.yaml
python3 - good.yaml krm/db-credentials.sealed.yaml <<'PY'
import re, sys
s = open(sys.argv[1]).read()
m = re.search(r"password: ENC\[AES256_GCM,data:(.)", s)
c = "A" if m.group(1) != "A" else "B"
open(sys.argv[2], "w").write(s[:m.start(1)] + c + s[m.end(1):])
PY
t_fail "a tampered file fails the build" env PATH="$T_TMP/shim:$PATH" kubectl kustomize \
	--enable-alpha-plugins --mount "type=bind,src=$T_TMP/keys-ws,dst=/var/run/unseal/keys" krm
t_check "... with nothing rendered" test ! -s "$T_TMP/out"
t_done
