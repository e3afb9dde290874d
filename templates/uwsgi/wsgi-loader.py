# piku-hooks wsgi loader: uwsgi runs this file for a `wsgi:` worker. It loads the release's environment
# from a JSON file (values stay data: they never pass through uwsgi's config reader), adds the release's
# virtualenv (its site-packages) to the import path, then imports the Procfile's `module:callable`.
import importlib
import json
import os
import site
import sys

with open(os.environ["PIKU_ENV_FILE"], encoding="utf-8") as f:
    _spec = json.load(f)
os.environ.update(_spec["env"])
os.chdir(_spec["cwd"])
if _spec.get("sitePackages"):
    # addsitedir also runs the .pth files that editable and namespace installs rely on; the venv's
    # folders then go first, so its packages win over the system's
    _before = list(sys.path)
    site.addsitedir(_spec["sitePackages"])
    sys.path[:] = [p for p in sys.path if p not in _before] + _before
if _spec["cwd"] not in sys.path:
    sys.path.insert(0, _spec["cwd"])
_module, _, _name = _spec["module"].partition(":")
application = getattr(importlib.import_module(_module), _name or "application")
