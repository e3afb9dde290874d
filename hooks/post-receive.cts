#!/usr/bin/env node
// post-receive: the git hook of one piku-hooks app. git runs it in repos/APP after the refs of a push moved
// (the release went live in pre-receive). It points HEAD at the deployed branch, so `git clone` checks it
// out, and runs the executables in ~/hooks/post-receive.d/ and repos/APP/hooks/post-receive.d/; a failure
// there is a warning, as the release is already live.
//
// piku-hooks wrote this file from its hooks/post-receive.cts, and it is yours to edit: install.sh and later
// pushes never overwrite an edited copy (they say so, and put the new stock version beside it as
// post-receive.stock); `ssh USER@HOST hooks:reset APP hooks/post-receive` puts the stock one back.
const postReceive = '/usr/local/lib/piku-hooks/dist/lib/deploy/post-receive.js'; // the toolkit's code for it
import(postReceive).then((hook) => hook.main());
