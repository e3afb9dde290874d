#!/usr/bin/env node
// pre-receive: the git hook of one piku-hooks app. git runs it in repos/APP before any ref of a push moves,
// with the pushed refs on stdin. It checks the push, runs the executables in ~/hooks/pre-receive.d/ and
// repos/APP/hooks/pre-receive.d/, builds the release and brings it up beside the running one; a non-zero
// exit refuses the push: no ref moves and the running release keeps serving.
//
// piku-hooks wrote this file from its hooks/pre-receive.cts, and it is yours to edit: install.sh and later
// pushes never overwrite an edited copy (they say so, and put the new stock version beside it as
// pre-receive.stock); `ssh USER@HOST hooks:reset APP hooks/pre-receive` puts the stock one back.
const preReceive = '/usr/local/lib/piku-hooks/dist/lib/deploy/pre-receive.js'; // the toolkit's code for it
import(preReceive).then((hook) => hook.main());
