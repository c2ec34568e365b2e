// End-to-end test of Native SMTP in Debian's headless Chromium (playwright-core, never a
// downloaded browser): log in, fill and save the settings, Send Test, check what the capture
// server received; then a wrong password must show the 535 hint. Screenshots go to artifacts/wp/.
// Run by scripts/wp-test.sh with the rig's env.sh sourced. Prints one "ok"/"not ok" line per
// check and, last, "e2e: N passed, N failed"; exits 1 on any failure.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const lib = require('./lib');

const { env, check } = lib;
const WP_URL = env('WP_URL');
const STATE = env('WP_STATE');
const ADMIN_USER = env('WP_ADMIN_USER');
const ADMIN_PASSWORD = env('WP_ADMIN_PASSWORD');
const SMTP_PORT = env('SMTP_CAPTURE_PORT');
const SMTP_USER = env('SMTP_CAPTURE_USER');
const SMTP_PASSWORD = env('SMTP_CAPTURE_PASSWORD');
const SPOOL = env('SMTP_CAPTURE_SPOOL');
const FROM_EMAIL = 'e2e-sender@wpe2e.test';
const FROM_NAME = 'Native SMTP E2E';
const SUCCESS = 'Test HTML email was sent successfully! Please check your inbox to make sure it is delivered.';
const MS_URL = env('WP_MS_URL');
const MS_SITE_URL = env('WP_MS_SITE_URL');
const SITE_ADMIN_USER = env('WP_MS_SITE_ADMIN_USER');
const SITE_ADMIN_PASSWORD = env('WP_MS_SITE_ADMIN_PASSWORD');
// A new DKIM key needs a new selector (a published one is never replaced): one per run.
const DKIM_SELECTOR = `e2e${Date.now().toString(36)}`;

const { names: spoolNames, captured } = lib.spool(SPOOL);

async function main() {
	fs.mkdirSync(lib.ARTIFACTS, { recursive: true });
	const profile = lib.profile();
	const { context, page } = await lib.launch(profile, { timeout: 20000 });
	const sameOriginErrors = [];
	page.on('response', (response) => {
		// The subsite admin's look at the network page is refused on purpose (403).
		if ((response.url().startsWith(WP_URL) || response.url().startsWith(MS_URL)) && response.status() >= 400 && !response.url().includes('/network/settings.php')) {
			sameOriginErrors.push(`${response.status()} ${response.url()}`);
		}
	});
	const shot = lib.shooter(page, '');
	const login = (url, user, password) => lib.logIn(page, url, user, password);

	try {
		// 1. Log in.
		await lib.logIn(page, `${WP_URL}/wp-login.php`, ADMIN_USER, ADMIN_PASSWORD);
		check('logged in to wp-admin', (await page.locator('#wpadminbar').count()) === 1);
		await shot('01-dashboard');

		// 2. Settings -> Native SMTP, through the menu as a user would.
		await page.click('#menu-settings > a');
		await Promise.all([page.waitForNavigation(), page.click('#menu-settings a[href="options-general.php?page=native-smtp"]')]);
		check('Settings -> Native SMTP opens the page', page.url().endsWith('options-general.php?page=native-smtp'), page.url());
		await page.waitForSelector('#native-smtp-settings');
		const labels = await page.locator('.form-table th').allInnerTexts();
		for (const label of ['From Email', 'From Name', 'SMTP Host', 'Encryption', 'SMTP Port', 'Authentication',
			'SMTP Username', 'SMTP Password', 'Return-Path']) {
			check(`field labelled "${label}"`, labels.map((t) => t.trim()).includes(label), labels.join(' | '));
		}
		check('"Save Settings" button', (await page.getByRole('button', { name: 'Save Settings' }).count()) === 1);

		// Encryption moves an untyped port: SSL -> 465, None -> 25, TLS -> 587.
		const port = page.locator('#native-smtp-port');
		await port.fill(''); // an empty port is not "typed by the user"
		await page.check('#native-smtp-encryption-ssl');
		const sslPort = await port.inputValue();
		await page.check('#native-smtp-encryption-none');
		const nonePort = await port.inputValue();
		await page.check('#native-smtp-encryption-tls');
		check('choosing SSL / None / TLS sets port 465 / 25 / 587', sslPort === '465' && nonePort === '25' && (await port.inputValue()) === '587', `${sslPort} ${nonePort}`);
		await port.fill(SMTP_PORT);
		await page.check('#native-smtp-encryption-ssl');
		check('a typed port is kept when the encryption changes', (await port.inputValue()) === SMTP_PORT);

		// 3. Fill and save.
		await page.getByLabel('From Email', { exact: true }).fill(FROM_EMAIL);
		await page.check('#native-smtp-force-from-email');
		await page.getByLabel('From Name', { exact: true }).fill(FROM_NAME);
		await page.getByLabel('SMTP Host', { exact: true }).fill('127.0.0.1');
		await page.check('#native-smtp-encryption-tls');
		await port.fill(SMTP_PORT);
		await page.check('#native-smtp-auth');
		await page.getByLabel('SMTP Username', { exact: true }).fill(SMTP_USER);
		await page.getByLabel('SMTP Password', { exact: true }).fill(SMTP_PASSWORD);
		await page.check('#native-smtp-return-path');
		await page.check('#native-smtp-log-bodies'); // the log keeps bodies: Resend needs them
		await shot('02-settings-filled');
		await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save Settings' }).click()]);
		check('settings saved', (await page.content()).includes('Settings saved.'));
		check('saved host and port shown', (await page.getByLabel('SMTP Host', { exact: true }).inputValue()) === '127.0.0.1' && (await port.inputValue()) === SMTP_PORT);
		const passwordField = page.getByLabel('SMTP Password', { exact: true });
		check('password not printed back into the page', (await passwordField.inputValue()) === '' && !(await page.content()).includes(SMTP_PASSWORD));
		check('password field shows a placeholder', ((await passwordField.getAttribute('placeholder')) || '').length > 0);
		await shot('03-settings-saved');

		// 4. Send Test.
		await page.click('#native-smtp-tab-test');
		await page.waitForSelector('#native-smtp-test-to');
		check('Send To defaults to the admin email', (await page.getByLabel('Send To', { exact: true }).inputValue()) === 'admin@wpe2e.test');
		const before = spoolNames();
		const recipient = `e2e-${Date.now()}@wpe2e.test`;
		await page.getByLabel('Send To', { exact: true }).fill(recipient);
		await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send Test' }).click()]);
		const resultText = await page.locator('#native-smtp-test-result').innerText().catch(() => '');
		check('Send Test shows the success text', resultText.includes(SUCCESS), resultText);
		check('Send Test redirected after the POST (post/redirect/get)', page.url().endsWith('options-general.php?page=native-smtp&tab=test'), page.url());
		await shot('04-send-test-success');
		await page.reload();
		await page.waitForSelector('#native-smtp-test-to');
		check('a reload neither resends nor shows the result again', (await page.locator('#native-smtp-test-result').count()) === 0);

		const got = captured(before, (meta) => meta.rcpt_tos.includes(recipient));
		check('capture server received the test email', got !== null);
		const copies = fs.readdirSync(SPOOL).filter((n) => n.endsWith('.json') && !before.has(n))
			.filter((n) => JSON.parse(fs.readFileSync(path.join(SPOOL, n), 'utf8')).rcpt_tos.includes(recipient)).length;
		check('exactly one test email despite the reload', copies === 1, String(copies));
		if (got) {
			check('received over STARTTLS', got.meta.tls === true);
			check('authenticated as the configured user', got.meta.auth_user === SMTP_USER, got.meta.auth_user);
			check('envelope sender is the chosen From (Return-Path)', got.meta.mail_from === FROM_EMAIL, got.meta.mail_from);
			check('From header is the chosen From', got.eml.includes(`From: ${FROM_NAME} <${FROM_EMAIL}>\r\n`));
			check('it is the HTML test email', /Content-Type: text\/html/i.test(got.eml));
		}

		// 5. Email Log shows it.
		await page.click('#native-smtp-tab-log');
		await page.waitForSelector('#native-smtp-log');
		check('Email Log lists the test email as Sent', (await page.locator('tr', { hasText: recipient }).locator('.native-smtp-status-sent').count()) >= 1);
		await shot('05-email-log');

		// 5b. One email's details, and Resend by POST after a confirmation.
		await Promise.all([page.waitForNavigation(), page.locator('tr', { hasText: recipient }).first().locator('.column-created_at a').first().click()]);
		await page.waitForSelector('#native-smtp-log-detail');
		const detail = await page.locator('#native-smtp-log-detail').innerText();
		check('log detail shows the recipient, headers and the transcript', detail.includes(recipient) && detail.includes('Content-Type: text/html') && detail.includes('It works!') && (await page.locator('#native-smtp-log-transcript').count()) === 1, detail.slice(0, 200));
		check('log detail transcript hides the password', !detail.includes(SMTP_PASSWORD));
		await shot('08-log-detail');
		let confirmText = '';
		page.once('dialog', (dialog) => { confirmText = dialog.message(); dialog.accept(); });
		const beforeResend = spoolNames();
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-resend-button')]);
		check('Resend asks first', confirmText.includes(recipient), confirmText);
		check('Resend reports success', (await page.locator('#native-smtp-resend-notice').innerText().catch(() => '')).includes('sent again'));
		check('the resent email arrived', captured(beforeResend, (meta) => meta.rcpt_tos.includes(recipient)) !== null);
		const afterResend = spoolNames();
		await page.reload();
		await page.waitForSelector('#native-smtp-log-detail');
		check('reloading the page after Resend sends nothing', captured(afterResend, (meta) => meta.rcpt_tos.includes(recipient)) === null);

		// 5c. Filters: Failed shows none of these; search by address finds them.
		await page.goto(`${WP_URL}/wp-admin/options-general.php?page=native-smtp&tab=log&status=failed&s=${encodeURIComponent(recipient)}`);
		check('filter by status: no failed email to that address', (await page.locator('tr', { hasText: recipient }).count()) === 0);
		await page.goto(`${WP_URL}/wp-admin/options-general.php?page=native-smtp&tab=log&status=sent&s=${encodeURIComponent(recipient)}`);
		check('filter by status and search: both sent copies', (await page.locator('#native-smtp-log tbody tr', { hasText: recipient }).count()) === 2);

		// 6. Wrong password: the 535 hint.
		await page.click('#native-smtp-tab-settings');
		await page.getByLabel('SMTP Password', { exact: true }).fill('definitely-wrong');
		await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save Settings' }).click()]);
		await page.click('#native-smtp-tab-test');
		await page.waitForSelector('#native-smtp-test-to');
		await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send Test' }).click()]);
		const error = await page.locator('#native-smtp-test-error').innerText().catch(() => '');
		const hint = await page.locator('#native-smtp-test-hint').innerText().catch(() => '');
		const transcript = await page.locator('#native-smtp-test-transcript').innerText().catch(() => '');
		check('wrong password: the error carries 535', error.includes('535'), error);
		check('wrong password: hint to check username/password and Gmail app password',
			hint.includes('SMTP Username and SMTP Password') && hint.includes('app password'), hint);
		check('wrong password: redacted transcript shown', transcript.includes('535') && !transcript.includes('definitely-wrong') && !transcript.includes(SMTP_PASSWORD), transcript.slice(0, 200));
		await shot('06-send-test-535');

		// Put the right password back so the rig keeps working for whoever uses it next.
		await page.click('#native-smtp-tab-settings');
		await page.getByLabel('SMTP Password', { exact: true }).fill(SMTP_PASSWORD);
		await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save Settings' }).click()]);

		// 7. DKIM tab: Generate key shows the record to publish; signing on signs the Send Test,
		// and dkimpy verifies it against exactly the record the page showed.
		await page.click('#native-smtp-tab-dkim');
		await page.waitForSelector('#native-smtp-dkim-settings');
		check('DKIM tab has domain, selector, algorithm and the switch',
			(await page.locator('#native-smtp-dkim-domain').count()) === 1 && (await page.locator('#native-smtp-dkim-selector').count()) === 1 &&
			(await page.locator('#native-smtp-dkim-algorithm').count()) === 1 && (await page.locator('#native-smtp-dkim-enabled').count()) === 1);
		await page.selectOption('#native-smtp-dkim-algorithm', 'rsa-sha256');
		await page.fill('#native-smtp-dkim-selector', DKIM_SELECTOR);
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-dkim-save')]);
		check('DKIM settings saved', (await page.content()).includes('Settings saved.') && (await page.inputValue('#native-smtp-dkim-selector')) === DKIM_SELECTOR);
		page.once('dialog', (dialog) => dialog.accept()); // "Make a new key under the new selector?" when an earlier run left one
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-dkim-generate-button')]);
		const dkimNotice = await page.locator('#native-smtp-dkim-notice').innerText().catch(() => '');
		check('Generate key reports a new key', dkimNotice.includes('A new DKIM key was made'), dkimNotice);
		const dnsName = await page.inputValue('#native-smtp-dkim-name-rsa').catch(() => '');
		const dnsRecord = await page.inputValue('#native-smtp-dkim-record-rsa').catch(() => '');
		check('the record name is <selector>._domainkey.<From domain>', dnsName === `${DKIM_SELECTOR}._domainkey.wpe2e.test`, dnsName);
		check('the TXT value is shown', /^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/.test(dnsRecord), dnsRecord.slice(0, 60));
		check('the private key is never in the page', !(await page.content()).includes('PRIVATE KEY'));
		await shot('07-dkim-key');

		await page.check('#native-smtp-dkim-enabled');
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-dkim-save')]);
		check('signing switched on', await page.isChecked('#native-smtp-dkim-enabled'));
		await page.click('#native-smtp-tab-test');
		await page.waitForSelector('#native-smtp-test-to');
		const beforeSigned = spoolNames();
		const signedRecipient = `e2e-dkim-${Date.now()}@wpe2e.test`;
		await page.getByLabel('Send To', { exact: true }).fill(signedRecipient);
		await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send Test' }).click()]);
		const signed = captured(beforeSigned, (meta) => meta.rcpt_tos.includes(signedRecipient));
		check('the signed test email arrived with a DKIM-Signature', signed !== null && /^DKIM-Signature:/m.test(signed.eml));
		if (signed) {
			const dir = fs.mkdtempSync(path.join(STATE, 'dkim-e2e-'));
			fs.writeFileSync(path.join(dir, 'keys.json'), JSON.stringify({ [dnsName]: dnsRecord }));
			fs.writeFileSync(path.join(dir, 'message.eml'), Buffer.from(signed.eml, 'latin1'));
			let verdict = '';
			try {
				verdict = execFileSync('/usr/bin/python3', [path.resolve(__dirname, '..', '..', 'dkim', 'verify.py'),
					path.join(dir, 'keys.json'), path.join(dir, 'message.eml')], { encoding: 'utf8' });
			} catch (error) {
				verdict = `${error.stdout || ''}${error.stderr || ''}`;
			}
			fs.rmSync(dir, { recursive: true, force: true });
			check('dkimpy verifies it with the record the page showed', verdict.includes('signatures=1 passed=1'), verdict);
		}

		// Leave the rig unsigned, as it was.
		await page.click('#native-smtp-tab-dkim');
		await page.waitForSelector('#native-smtp-dkim-settings');
		await page.uncheck('#native-smtp-dkim-enabled');
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-dkim-save')]);

		// 8. Multisite: the network admin sets the relay on the Network Admin page ...
		await context.clearCookies();
		await login(`${MS_URL}/wp-login.php`, ADMIN_USER, ADMIN_PASSWORD);
		await page.goto(`${MS_URL}/wp-admin/network/settings.php?page=native-smtp`);
		await page.waitForSelector('#native-smtp-network-settings');
		check('network settings page opens for the super admin', (await page.locator('h1').innerText()).includes('network settings'));
		await page.getByLabel('SMTP Host', { exact: true }).fill('127.0.0.1');
		await page.check('#native-smtp-encryption-tls');
		await page.fill('#native-smtp-port', SMTP_PORT);
		await page.check('#native-smtp-auth');
		await page.getByLabel('SMTP Username', { exact: true }).fill(SMTP_USER);
		await page.getByLabel('SMTP Password', { exact: true }).fill(SMTP_PASSWORD);
		await page.fill('#native-smtp-from-email', 'network@wpe2e.test');
		check('subsite admins may change From Email and From Name by default', await page.isChecked('#native-smtp-site-allowed-from-email') && await page.isChecked('#native-smtp-site-allowed-from-name') && !(await page.isChecked('#native-smtp-site-allowed-return-path')));
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-network-save')]);
		check('network settings saved', (await page.locator('#native-smtp-network-saved').count()) === 1);
		check('network password not printed back', !(await page.content()).includes(SMTP_PASSWORD));
		await shot('09-network-settings');

		// ... and a subsite admin sees it read-only and sets only the From fields.
		await context.clearCookies();
		await login(`${MS_SITE_URL}/wp-login.php`, SITE_ADMIN_USER, SITE_ADMIN_PASSWORD);
		await page.goto(`${MS_SITE_URL}/wp-admin/options-general.php?page=native-smtp`);
		await page.waitForSelector('#native-smtp-settings');
		check('subsite: SMTP Host is the network\'s and read-only', (await page.inputValue('#native-smtp-host')) === '127.0.0.1' && await page.isDisabled('#native-smtp-host'));
		check('subsite: login and password fields are read-only', await page.isDisabled('#native-smtp-username') && await page.isDisabled('#native-smtp-password') && await page.isDisabled('#native-smtp-encryption-tls'));
		check('subsite: says who sets them', (await page.locator('.native-smtp-network-locked').count()) >= 5);
		check('subsite: From Email is editable', !(await page.isDisabled('#native-smtp-from-email')));
		await page.fill('#native-smtp-from-email', 'site2@wpe2e.test');
		await page.check('#native-smtp-force-from-email');
		await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save Settings' }).click()]);
		check('subsite: From Email saved', (await page.inputValue('#native-smtp-from-email')) === 'site2@wpe2e.test');
		await shot('10-subsite-read-only');
		const site2Recipient = `e2e-site2-${Date.now()}@wpe2e.test`;
		const beforeSite2 = spoolNames();
		await page.goto(`${MS_SITE_URL}/wp-admin/options-general.php?page=native-smtp&tab=test`);
		await page.getByLabel('Send To', { exact: true }).fill(site2Recipient);
		await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send Test' }).click()]);
		const site2Mail = captured(beforeSite2, (meta) => meta.rcpt_tos.includes(site2Recipient));
		check('subsite Send Test goes through the network relay with the site\'s From', site2Mail !== null && site2Mail.meta.auth_user === SMTP_USER && site2Mail.eml.includes('site2@wpe2e.test'));
		await page.goto(`${MS_SITE_URL}/wp-admin/network/settings.php?page=native-smtp`);
		check('subsite admin cannot open the network settings', (await page.locator('#native-smtp-network-settings').count()) === 0);

		check('no same-origin 4xx/5xx responses', sameOriginErrors.length === 0, sameOriginErrors.join(', '));
	} catch (error) {
		check('e2e ran to the end', false, error.stack || String(error));
		await shot('99-failure').catch(() => {});
	} finally {
		await lib.close(context, profile);
	}
	lib.finish();
}

lib.run(main, (error) => console.error(error));
