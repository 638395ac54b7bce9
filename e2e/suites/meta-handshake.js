'use strict';

/**
 * Meta verifies a Callback URL with a GET before it sends anything there: the published Status
 * Trigger must echo hub.challenge for the right Verify Token, refuse anything else with 403,
 * and start no execution either way. The sandbox plays Meta's side (sandbox.handshake).
 */

const { SANDBOX_CREDENTIALS } = require('../../sandbox/server');

module.exports = {
	name: 'Meta: the GET handshake on the Status Trigger URL',

	async run({ report, sandbox, triggerUrls, statusWorkflows, executionStats, short }) {
		const workflowId = statusWorkflows.meta.id;
		const before = await executionStats(workflowId);

		const verified = await sandbox.handshake('meta');
		report.check(
			verified.ok && verified.httpStatus === 200 && verified.body === verified.challenge,
			`meta: GET ${verified.url.replace(/^https?:\/\/[^/]+/, '')}?hub.mode=subscribe&hub.verify_token=<Verify Token>&hub.challenge=${verified.challenge} -> ${verified.httpStatus} "${short(verified.body, 40)}"`,
			() => short(verified),
		);

		const wrongToken = await sandbox.handshake('meta', { verifyToken: 'not-the-verify-token' });
		report.check(
			!wrongToken.ok && wrongToken.httpStatus === 403 && !String(wrongToken.body).includes(wrongToken.challenge),
			`meta: the same GET with a wrong Verify Token -> ${wrongToken.httpStatus} "${short(wrongToken.body, 60)}"`,
			() => short(wrongToken),
		);

		const direct = await fetch(`${triggerUrls.meta}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(SANDBOX_CREDENTIALS.meta.verifyToken)}&hub.challenge=42`);
		const contentType = direct.headers.get('content-type') || '';
		report.check(
			direct.status === 200 && (await direct.text()) === '42' && contentType.startsWith('text/plain'),
			`meta: the challenge comes back as plain text (Content-Type ${contentType}), never as HTML`,
		);

		const bare = await fetch(triggerUrls.meta);
		report.check(bare.status === 403, `meta: a GET without hub.* parameters -> ${bare.status}`);

		const twilioGet = await fetch(`${triggerUrls.twilio}?hub.mode=subscribe&hub.challenge=1`);
		report.check(twilioGet.status === 405, `twilio: a GET on its trigger (Twilio makes no handshake) -> ${twilioGet.status}`);

		const after = await executionStats(workflowId);
		report.check(
			after.total === before.total,
			`meta: executions ${before.total} -> ${after.total}: handshakes start none`,
			() => `before ${before.total}, after ${after.total}`,
		);
	},
};
