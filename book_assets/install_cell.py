# On Colab, install optlib first (elsewhere this cell does nothing).
import importlib.util, subprocess, sys  # noqa: E401, I001

if "google.colab" in sys.modules and importlib.util.find_spec("optlib") is None:
    REPOSITORY, BRANCH = "", "main"  # from the book's _config.yml
    assert REPOSITORY, "repository.url is not set in the book's _config.yml"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    f"optlib @ git+{REPOSITORY}@{BRANCH}"], check=True)  # fmt: skip
