"""Static files storage for benchmarks/bench_settings.py: WhiteNoise's, but not strict about missing entries."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class LenientManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False
