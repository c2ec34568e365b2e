// Provider presets as an administrator uses them, in Debian's headless Chromium: pick Gmail in
// the Mailer choice (host, port and encryption fill in, the help says where the app password comes
// from), glance at SendGrid's fixed "apikey" username, fill the login, save, Send Test, and read
// Google's own hint for its "534 5.7.9" refusal. Then the same form without JavaScript: the server
// applies the preset on save. Started by PresetsTest, which points Gmail's preset at a loopback
// test server (a mu-plugin using the native_smtp_presets filter) that answers AUTH with 534 5.7.9.
// Screenshots: artifacts/wp/presets-*.png. Last line: "e2e: N passed, N failed".
'use strict';

const fs = require('fs');
const lib = require('./lib');

const { env, check } = lib;
const WP_URL = env('WP_URL');
const ADMIN_USER = env('WP_ADMIN_USER');
const ADMIN_PASSWORD = env('WP_ADMIN_PASSWORD');
const SETTINGS = `${WP_URL}/wp-admin/options-general.php?page=native-smtp`;

async function browser(javaScriptEnabled) {
	const profile = lib.profile();
	const { context, page } = await lib.launch(profile, { navigationTimeout: 60000, javaScriptEnabled });
	return { context, page, profile };
}

async function login(page, js) {
	await lib.logIn(page, `${WP_URL}/wp-login.php`, ADMIN_USER, ADMIN_PASSWORD, js);
	check(`logged in (JavaScript ${js ? 'on' : 'off'})`, (await page.locator('#wpadminbar').count()) === 1);
}

async function withJavaScript() {
	const { context, page, profile } = await browser(true);
	const shot = lib.shooter(page, 'presets-');
	try {
		await login(page, true);
		await page.goto(SETTINGS);
		check('the Mailer choice comes before the SMTP Host', await page.evaluate(() => {
			const mailer = document.getElementById('native-smtp-preset');
			const host = document.getElementById('native-smtp-host');
			return !!mailer && !!host && !!(mailer.compareDocumentPosition(host) & Node.DOCUMENT_POSITION_FOLLOWING);
		}));
		check('no provider region list shown for Other SMTP', (await page.locator('#native-smtp-preset-region-ses').isVisible()) === false);

		await page.selectOption('#native-smtp-preset', 'ses');
		check('Amazon SES shows its region list', await page.locator('#native-smtp-preset-region-ses').isVisible());
		await page.selectOption('#native-smtp-preset-region-ses', 'eu-west-1');
		check('the region fills the SES host', (await page.inputValue('#native-smtp-host')) === 'email-smtp.eu-west-1.amazonaws.com', await page.inputValue('#native-smtp-host'));

		await page.selectOption('#native-smtp-preset', 'sendgrid');
		check('SendGrid fills the username "apikey", read-only', (await page.inputValue('#native-smtp-username')) === 'apikey' &&
			(await page.locator('#native-smtp-username').evaluate((el) => el.readOnly)));
		await shot('sendgrid');

		await page.selectOption('#native-smtp-preset', 'gmail');
		const host = await page.inputValue('#native-smtp-host');
		check('Gmail fills the host (pointed at the test server)', host === '127.0.0.1', host);
		check('the host is read-only while a provider is chosen', await page.locator('#native-smtp-host').evaluate((el) => el.readOnly));
		check('Gmail fills TLS', await page.isChecked('#native-smtp-encryption-tls'));
		check('the username is the admin\'s again after SendGrid', !(await page.locator('#native-smtp-username').evaluate((el) => el.readOnly)));
		const help = await page.locator('#native-smtp-preset-help').innerText();
		check('two lines on where Gmail\'s credentials come from', help.includes('myaccount.google.com/apppasswords') && help.split('\n').filter((l) => l.trim()).length === 2, help);
		await page.fill('#native-smtp-username', 'me@example.test');
		await page.fill('#native-smtp-password', 'app-secret');
		if (!(await page.isChecked('#native-smtp-auth'))) await page.check('#native-smtp-auth');
		await shot('gmail-filled');
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-save')]);
		check('saved', (await page.locator('#setting-error-settings_updated').count()) === 1, await page.locator('.notice, .error, .updated').allInnerTexts().then((t) => t.join(' | ')));
		check('Gmail is the saved Mailer', (await page.inputValue('#native-smtp-preset')) === 'gmail');

		await page.goto(`${SETTINGS}&tab=test`);
		await page.fill('#native-smtp-test-to', 'ann@example.test');
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-send-test')]);
		const error = await page.locator('#native-smtp-test-error').innerText();
		check('Send Test reports the refusal', error.includes('534'), error);
		const hint = await page.locator('#native-smtp-test-hint').innerText();
		check('Send Test shows Google\'s hint', hint.includes('Gmail / Google Workspace: Google wants an app password'), hint);
		await page.locator('#native-smtp-test-result').scrollIntoViewIfNeeded();
		await shot('send-test-hint');
	} catch (error) {
		await shot('failure').catch(() => {});
		throw error;
	} finally {
		await lib.close(context, profile);
	}
}

async function withoutJavaScript() {
	const { context, page, profile } = await browser(false);
	const shot = lib.shooter(page, 'presets-');
	try {
		await login(page, false);
		await page.goto(SETTINGS);
		check('without JavaScript every provider\'s region list is there', await page.locator('#native-smtp-preset-region-zoho').isVisible());
		await page.selectOption('#native-smtp-preset', 'zoho');
		await page.selectOption('#native-smtp-preset-region-zoho', 'smtp.zoho.eu');
		await page.fill('#native-smtp-host', 'typed.example.net');
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-save')]);
		check('the server applied Zoho EU on save', (await page.inputValue('#native-smtp-host')) === 'smtp.zoho.eu' &&
			(await page.inputValue('#native-smtp-port')) === '465' && (await page.isChecked('#native-smtp-encryption-ssl')),
			`${await page.inputValue('#native-smtp-host')}:${await page.inputValue('#native-smtp-port')}`);
		const help = await page.locator('#native-smtp-preset-help').innerText();
		check('Zoho\'s help is shown after the save', help.includes('data center'), help);
		await shot('no-javascript-zoho');
	} catch (error) {
		await shot('failure-no-javascript').catch(() => {});
		throw error;
	} finally {
		await lib.close(context, profile);
	}
}

async function main() {
	fs.mkdirSync(lib.ARTIFACTS, { recursive: true });
	await withJavaScript();
	await withoutJavaScript();
	lib.finish();
}

lib.run(main);
