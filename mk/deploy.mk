# SPDX-License-Identifier: ISC
# deploy/: the kit that puts unseal in the cluster (Argo CD plugin and
# sidecar, the image, kustomize examples, the Flux guide), its checks, the
# image without a container runtime, and the unseal benchmark.
EXTRA_DIST += \
	deploy/argocd/plugin.yaml \
	deploy/argocd/kustomization.yaml \
	deploy/argocd/repo-server-patch.yaml \
	deploy/argocd/helm-values.yaml \
	deploy/argocd/key-secret.example.yaml \
	deploy/flux/README.md \
	deploy/flux/key-secret.example.yaml \
	deploy/flux/flux-kustomization.yaml \
	tests/e2e/k8s-validate.py \
	tests/e2e/deploy-check.py \
	tests/fixtures/deploy/argocd-repo-server.yaml \
	deploy/README.md \
	deploy/image/Containerfile \
	deploy/kustomize/README.md \
	deploy/kustomize/exec-plugin/kustomization.yaml \
	deploy/kustomize/exec-plugin/deployment.yaml \
	deploy/kustomize/exec-plugin/unseal.yaml \
	deploy/kustomize/krm-exec/kustomization.yaml \
	deploy/kustomize/krm-exec/deployment.yaml \
	deploy/kustomize/krm-exec/unseal.yaml \
	deploy/kustomize/krm-container/kustomization.yaml \
	deploy/kustomize/krm-container/deployment.yaml \
	deploy/kustomize/krm-container/unseal.yaml

dist_check_SCRIPTS += tests/e2e/t0590-deploy-kit.sh


# the image without a container runtime; the deny-list t0503 and t0591 share
dist_check_SCRIPTS += tests/e2e/t0591-unseal-image.sh
EXTRA_DIST += tests/e2e/image-root.py tests/unseal-denylist.txt

# ---- the unseal benchmark (bench/bench-unseal.sh; not run by make check)
bench_programs += bench/bench-unseal-corpus
bench_bench_unseal_corpus_SOURCES = bench/bench-unseal-corpus.c
bench_bench_unseal_corpus_LDADD = libseal/libseal-core.la $(CORE_LIBS)
EXTRA_DIST += bench/bench-unseal.sh
