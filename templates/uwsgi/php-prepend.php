<?php
// piku-hooks php prepend: uwsgi's php plugin runs this file before every script of a `php:` worker
// (auto_prepend_file). It loads the release's environment from a JSON file (values stay data: they never
// pass through uwsgi's config reader) into getenv(), $_ENV and $_SERVER, as the app would see them under piku.
$__piku_spec = json_decode((string) file_get_contents((string) getenv('PIKU_ENV_FILE')), true);
if (is_array($__piku_spec) && is_array($__piku_spec['env'] ?? null)) {
    foreach ($__piku_spec['env'] as $__piku_key => $__piku_value) {
        putenv("$__piku_key=$__piku_value");
        $_ENV[$__piku_key] = $__piku_value;
        if (!isset($_SERVER[$__piku_key])) $_SERVER[$__piku_key] = $__piku_value;
    }
}
unset($__piku_spec, $__piku_key, $__piku_value);
