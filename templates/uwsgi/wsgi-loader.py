# piku-hooks wsgi loader: uwsgi runs this file for a `wsgi:` worker. It loads the release's environment
# from a JSON file (values stay data: they never pass through uwsgi's config reader), then imports the
# Procfile's `module:callable`.
import importlib
import json
import os
import sys

with open(os.environ["PIKU_ENV_FILE"], encoding="utf-8") as f:
    _spec = json.load(f)
os.environ.update(_spec["env"])
os.chdir(_spec["cwd"])
if _spec["cwd"] not in sys.path:
    sys.path.insert(0, _spec["cwd"])
_module, _, _name = _spec["module"].partition(":")
application = getattr(importlib.import_module(_module), _name or "application")
