// End-to-end test of Connect (issue 15) in Debian's headless Chromium: choose "Google / Gmail",
// paste the client ID and secret, Connect, sign in and consent on the authorization server's own
// pages (tests/oauth-server: oidc-provider, started by scripts/wp-up.sh), come back to wp-admin
// connected as the mailbox, Send Test over XOAUTH2 (the capture server checks the token at the
// authorization server), Disconnect, and back to Other SMTP with its settings intact. No page
// may show a secret. Screenshots: artifacts/wp/oauth-*.png.
// Run by scripts/wp-test.sh after native-smtp.e2e.js (which leaves Other SMTP set up).
// Prints one "ok"/"not ok" line per check and, last, "e2e: N passed, N failed".
'use strict';

const fs = require('fs');
const path = require('path');
const lib = require('./lib');

const { env, check } = lib;
const WP_URL = env('WP_URL');
const STATE = env('WP_STATE');
const ADMIN_USER = env('WP_ADMIN_USER');
const ADMIN_PASSWORD = env('WP_ADMIN_PASSWORD');
const SPOOL = env('SMTP_CAPTURE_SPOOL');
const ISSUER = env('OAUTH_ISSUER');
const CLIENT_ID = env('OAUTH_CLIENT_ID');
const CLIENT_SECRET = env('OAUTH_CLIENT_SECRET');
const MAILBOX = 'wpuser@wpe2e.test'; // the capture server's account: XOAUTH2's user must be the token's subject
const SETTINGS = `${WP_URL}/wp-admin/options-general.php?page=native-smtp`;

const { names: spoolNames, captured } = lib.spool(SPOOL);

async function main() {
	fs.mkdirSync(lib.ARTIFACTS, { recursive: true });
	const profile = lib.profile();
	const { context, page } = await lib.launch(profile, { timeout: 20000 });
	const errors = [];
	// Every page and URL the browser saw, to search for secrets afterwards.
	const seen = [];
	page.on('response', async (response) => {
		if (response.url().startsWith(WP_URL) && response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
		seen.push(response.url());
		const type = response.headers()['content-type'] || '';
		if (response.url().startsWith(WP_URL) && type.includes('text/html')) {
			seen.push(await response.text().catch(() => ''));
		}
	});
	const shot = lib.shooter(page, 'oauth-');

	try {
		await lib.logIn(page, `${WP_URL}/wp-login.php`, ADMIN_USER, ADMIN_PASSWORD);
		check('logged in', (await page.locator('#wpadminbar').count()) === 1);

		await page.goto(SETTINGS);
		const smtpHost = await page.inputValue('#native-smtp-host');
		const types = await page.locator('#native-smtp-connection option').allInnerTexts();
		check('connection types: Other SMTP, Microsoft 365 / Outlook, Google / Gmail',
			JSON.stringify(types) === JSON.stringify(['Other SMTP', 'Microsoft 365 / Outlook', 'Google / Gmail']), types.join(' | '));

		// Choosing a type saves and shows its section.
		await Promise.all([page.waitForNavigation(), page.selectOption('#native-smtp-connection', 'microsoft')]);
		await page.waitForSelector('#native-smtp-oauth-microsoft');
		check('Microsoft: tenant ID and app-only mode offered', (await page.locator('#native-smtp-oauth-tenant').count()) === 1 && (await page.locator('#native-smtp-oauth-mode-app').count()) === 1);
		check('Microsoft: sends through smtp.office365.com:587 on a real site (here the rig\'s capture server)', (await page.locator('#native-smtp-oauth-server').innerText()).includes('STARTTLS, XOAUTH2'));
		await page.click('#native-smtp-oauth-guide-microsoft summary');
		const msGuide = await page.locator('#native-smtp-oauth-guide-microsoft').innerText();
		check('Microsoft guide names the SMTP.Send scope and offline_access', msGuide.includes('https://outlook.office.com/SMTP.Send') && msGuide.includes('offline_access'));
		await shot('01-microsoft');

		await Promise.all([page.waitForNavigation(), page.selectOption('#native-smtp-connection', 'google')]);
		await page.waitForSelector('#native-smtp-oauth-google');
		check('Google: not connected yet', (await page.getAttribute('#native-smtp-oauth-status', 'data-status')) === 'disconnected');
		await page.click('#native-smtp-oauth-guide-google summary');
		check('Google guide names the https://mail.google.com/ scope', (await page.locator('#native-smtp-oauth-guide-google').innerText()).includes('https://mail.google.com/'));
		const redirect = await page.inputValue('#native-smtp-oauth-redirect');
		check('redirect URI shown to copy', redirect === `${WP_URL}/wp-admin/admin-post.php` && (await page.locator('button[data-copy="native-smtp-oauth-redirect"]').count()) === 1, redirect);

		await page.fill('#native-smtp-oauth-client-id', CLIENT_ID);
		await page.fill('#native-smtp-oauth-client-secret', CLIENT_SECRET);
		await shot('02-google-filled');

		// Connect: to the authorization server's own login and consent pages.
		await Promise.all([page.waitForURL((url) => url.href.startsWith(ISSUER)), page.click('#native-smtp-oauth-connect')]);
		const authorize = new URL(page.url());
		check('Connect goes to the authorization server', page.url().startsWith(`${ISSUER}/interaction/`), page.url());
		await page.waitForSelector('input[name="login"]');
		await shot('03-provider-login');
		await page.fill('input[name="login"]', MAILBOX);
		await page.fill('input[name="password"]', 'any');
		await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
		await page.waitForSelector('button[type="submit"]');
		const consentText = await page.locator('body').innerText();
		check('the server asks for consent', /authorize|consent/i.test(consentText), consentText.slice(0, 200));
		await shot('04-provider-consent');
		await Promise.all([page.waitForURL((url) => url.href.startsWith(SETTINGS)), page.click('button[type="submit"]')]);
		check('back on the settings page', page.url().startsWith(SETTINGS), `${page.url()} (from ${authorize.origin})`);
		await page.waitForSelector('#native-smtp-oauth-notice');
		const notice = await page.locator('#native-smtp-oauth-notice').innerText();
		check('"Connected to Google / Gmail as the mailbox"', notice.includes(`Connected to Google / Gmail as ${MAILBOX}`), notice);
		check('status: connected as the mailbox', (await page.getAttribute('#native-smtp-oauth-status', 'data-status')) === 'connected'
			&& (await page.locator('#native-smtp-oauth-status').innerText()).includes(MAILBOX));
		check('the client secret is not printed back', (await page.inputValue('#native-smtp-oauth-client-secret')) === '********');
		await shot('05-connected');

		// Send Test over XOAUTH2.
		const recipient = `oauth-e2e-${Date.now()}@wpe2e.test`;
		const before = spoolNames();
		await page.goto(`${SETTINGS}&tab=test`);
		await page.getByLabel('Send To', { exact: true }).fill(recipient);
		await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send Test' }).click()]);
		const result = await page.locator('#native-smtp-test-result').innerText();
		check('Send Test succeeds', result.includes('sent successfully'), result);
		let mail = null;
		for (let i = 0; i < 50 && !mail; i++) {
			mail = captured(before, (meta) => meta.rcpt_tos.includes(recipient));
			if (!mail) await new Promise((resolve) => setTimeout(resolve, 100));
		}
		check('the capture server got it from the mailbox, logged in with a token it checked at the authorization server', mail !== null && mail.meta.auth_user === MAILBOX);
		const events = fs.readFileSync(path.join(SPOOL, 'log.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
		check('the capture server found the token active at the authorization server (introspection: the plugin\'s client, the mailbox)',
			mail !== null && events.some((e) => e.event === 'introspection' && e.session === mail.meta.session && e.good === true
				&& e.client_id === CLIENT_ID && e.sub === MAILBOX));
		await shot('06-send-test');

		// Disconnect.
		await page.goto(SETTINGS);
		page.once('dialog', (dialog) => dialog.accept());
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-oauth-disconnect')]);
		const disconnected = await page.locator('#native-smtp-oauth-notice').innerText();
		check('Disconnect: the token and secret are deleted', disconnected.includes('Disconnected'), disconnected);
		check('status: not connected', (await page.getAttribute('#native-smtp-oauth-status', 'data-status')) === 'disconnected');
		check('no secret left to show', (await page.inputValue('#native-smtp-oauth-client-secret')) === '' && (await page.locator('#native-smtp-oauth-disconnect').count()) === 0);
		await shot('07-disconnected');

		// Back to Other SMTP: its settings were kept meanwhile.
		await Promise.all([page.waitForNavigation(), page.selectOption('#native-smtp-connection', 'smtp')]);
		check('Other SMTP again, with its host and authentication kept', (await page.inputValue('#native-smtp-host')) === smtpHost && (await page.isChecked('#native-smtp-auth')));

		const leaked = seen.filter((text) => text.includes(CLIENT_SECRET));
		check('the client secret is in no page or URL the browser saw', leaked.length === 0, `${leaked.length} responses`);
		const phpLog = path.join(STATE, 'log', 'php-error.log');
		const logText = fs.existsSync(phpLog) ? fs.readFileSync(phpLog, 'utf8') : '';
		check('nor in the PHP error log', !logText.includes(CLIENT_SECRET));
		check('no 4xx/5xx from WordPress', errors.length === 0, errors.join(', '));
	} catch (error) {
		check('oauth e2e ran to the end', false, error.stack || String(error));
		await shot('99-failure').catch(() => {});
	} finally {
		await lib.close(context, profile);
	}
	lib.finish();
}

lib.run(main, (error) => console.error(error));
