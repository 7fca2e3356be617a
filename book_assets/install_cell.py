# Install optlib when this notebook runs on Colab or Binder without it.
# Elsewhere it does nothing. Written by tools/sync_launch.py from _config.yml.
def _install_optlib(repository: str, branch: str) -> None:
    import importlib
    import os
    import subprocess
    import sys
    from pathlib import Path

    on_colab = "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ
    on_binder = "BINDER_REPO_URL" in os.environ or "BINDER_LAUNCH_HOST" in os.environ
    if not (on_colab or on_binder):
        return
    try:
        importlib.import_module("optlib")
        return
    except ImportError:
        pass
    if on_binder:  # the repository is checked out: install its root
        here = Path(os.environ.get("REPO_DIR") or Path.cwd()).resolve()
        roots = [p for p in (here, *here.parents) if (p / "optlib" / "__init__.py").is_file()]
        if not roots:
            raise RuntimeError(f"optlib is missing and no checkout of it contains {here}")
        target = str(roots[0])
    elif repository:
        target = f"optlib @ git+{repository}@{branch}"
    else:
        raise RuntimeError("repository.url is not set in the book's _config.yml")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", target], check=True)
    importlib.invalidate_caches()
    importlib.import_module("optlib")


_install_optlib(
    repository="",
    branch="main",
)
del _install_optlib
