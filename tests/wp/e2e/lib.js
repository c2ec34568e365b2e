// What every end-to-end test here shares: the rig's environment, Debian's headless Chromium
// (playwright-core, never a downloaded browser) in a throwaway profile, the wp-login.php form,
// screenshots under artifacts/wp/, the capture server's spool, and the "ok"/"not ok" lines with
// their last line "e2e: N passed, N failed" (scripts/wp-test.sh and the PHPUnit tests that start
// an e2e read that line).
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const ARTIFACTS = path.resolve(__dirname, '..', '..', '..', 'artifacts', 'wp');

// env(NAME[, hint]): the rig's variable (from $WP_STATE/env.sh); a missing one stops the test.
function env(name, hint = '') {
	const value = process.env[name];
	if (!value) throw new Error(`${name} is not set: source $WP_STATE/env.sh first${hint}`);
	return value;
}

let passed = 0;
let failed = 0;
function check(name, condition, detail = '') {
	if (condition) {
		passed++;
		console.log(`ok - ${name}`);
	} else {
		failed++;
		console.log(`not ok - ${name}${detail ? `: ${detail}` : ''}`);
	}
}

// The last line; `more` counts a failure that no check recorded (the test did not run to its end).
function summary(more = 0) {
	console.log(`e2e: ${passed} passed, ${failed + more} failed`);
}

// The end of a test that ran to its end: the summary, exit status 1 on any failed check.
function finish() {
	summary();
	process.exit(failed === 0 ? 0 : 1);
}

// run(main[, report]): main(), and if it throws, report(error) (by default a "not ok" line with
// the stack), the summary with that failure counted, exit status 1.
function run(main, report = (error) => console.log(`not ok - ${error.stack || error}`)) {
	main().catch((error) => {
		report(error);
		summary(1);
		process.exit(1);
	});
}

// A fresh Chromium profile folder in the rig's state folder (removed by close()).
function profile() {
	return fs.mkdtempSync(path.join(env('WP_STATE'), 'chromium-profile-'));
}

// launch(profileDir, {timeout, navigationTimeout, javaScriptEnabled}): Chromium on that profile,
// resolving no name but 127.0.0.1 (the rig is all loopback); its first page with those timeouts.
async function launch(profileDir, { timeout = 30000, navigationTimeout, javaScriptEnabled } = {}) {
	const options = {
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
			'--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
		viewport: { width: 1280, height: 1000 },
	};
	if (javaScriptEnabled !== undefined) options.javaScriptEnabled = javaScriptEnabled;
	const context = await chromium.launchPersistentContext(profileDir, options);
	const page = context.pages()[0] || (await context.newPage());
	page.setDefaultTimeout(timeout);
	if (navigationTimeout !== undefined) page.setDefaultNavigationTimeout(navigationTimeout);
	return { context, page };
}

async function close(context, profileDir) {
	if (context) await context.close();
	fs.rmSync(profileDir, { recursive: true, force: true });
}

// logIn(page, loginUrl, user, password[, waitForFocus]): the wp-login.php form. wp-login.php
// focuses and selects the user field 200 ms after load; a fill of the password that straddles
// that moment types into the user field instead, so with JavaScript on, wait for that focus
// first (it failed once that way under load).
async function logIn(page, url, user, password, waitForFocus = true) {
	await page.goto(url, { waitUntil: 'load' });
	if (waitForFocus) await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'user_login');
	await page.fill('#user_login', user);
	await page.fill('#user_pass', password);
	await Promise.all([page.waitForNavigation(), page.click('#wp-submit')]);
}

// shooter(page, prefix): name => a full-page screenshot artifacts/wp/<prefix><name>.png.
function shooter(page, prefix) {
	return (name) => page.screenshot({ path: path.join(ARTIFACTS, `${prefix}${name}.png`), fullPage: true });
}

// spool(dir): the capture server's spool. names(): the .json records there now; captured(since,
// predicate): the first record ({meta, eml}) not in `since` (a names() taken before) for which
// predicate(meta, eml) holds, or null.
function spool(dir) {
	const names = () => new Set(fs.readdirSync(dir).filter((n) => n.endsWith('.json')));
	const captured = (since, predicate) => {
		const fresh = fs.readdirSync(dir).filter((n) => /^\d+\.json$/.test(n) && !since.has(n)).sort();
		for (const name of fresh) {
			const meta = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
			const eml = fs.readFileSync(path.join(dir, name.replace(/\.json$/, '.eml')), 'latin1');
			if (predicate(meta, eml)) return { meta, eml };
		}
		return null;
	};
	return { names, captured };
}

module.exports = { ARTIFACTS, env, check, summary, finish, run, profile, launch, close, logIn, shooter, spool };
