'use strict';

/** n8n's internal REST API (/rest/…): the owner, logging in, and the calls the suites make on a running n8n. */

const OWNER = { email: 'dev@example.com', password: 'Sandbox-Pass1', firstName: 'Dev', lastName: 'Sandbox' };

async function login(baseUrl, { email, password }) {
	const response = await fetch(`${baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: email, password }),
	});
	if (!response.ok) throw new Error(`login as ${email} failed: ${response.status} ${await response.text()}`);
	return authCookie(response);
}

function authCookie(response) {
	const cookies = response.headers.getSetCookie ? response.headers.getSetCookie() : [response.headers.get('set-cookie')];
	const auth = cookies.filter(Boolean).find((cookie) => cookie.startsWith('n8n-auth='));
	if (!auth) throw new Error('n8n did not set the n8n-auth cookie');
	return auth.split(';')[0];
}

/**
 * Creates the instance owner through the editor's setup endpoint (first start of a folder), or
 * logs in when the folder already has one. Returns the n8n-auth cookie ("n8n-auth=...").
 */
async function setupOwner(baseUrl, owner = OWNER) {
	const response = await fetch(`${baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(owner),
	});
	if (response.ok) return authCookie(response);
	const text = await response.text();
	if (response.status === 400 && /already setup/i.test(text)) return login(baseUrl, owner);
	throw new Error(`owner setup failed: ${response.status} ${text}`);
}

/**
 * The REST calls of a started n8n, added to its handle: `rest()` (with the owner's cookie),
 * `login()`, publishing and unpublishing workflows, and reading executions.
 */
function addRestCalls(handle) {
	const rest = async (method, restPath, body) => {
		if (!handle.cookie) throw new Error('rest() needs setupOwner: true (or handle.login())');
		const response = await fetch(`${handle.localUrl}/rest${restPath}`, {
			method,
			headers: { cookie: handle.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		let parsed;
		try {
			parsed = JSON.parse(text);
		} catch {
			parsed = text;
		}
		if (!response.ok) {
			const error = new Error(`${method} /rest${restPath} answered ${response.status}: ${text.slice(0, 500)}`);
			throw Object.assign(error, { status: response.status });
		}
		return parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed;
	};
	return Object.assign(handle, {
		/** Calls n8n's internal REST API (/rest/...) with the owner's cookie. */
		rest,
		login: async (credentials = OWNER) => {
			handle.cookie = await login(handle.localUrl, credentials);
			return handle.cookie;
		},
		/** Publishes a workflow on the running instance (live, no restart). */
		activateWorkflow: async (workflowId) => {
			const workflow = await rest('GET', `/workflows/${workflowId}`);
			return rest('POST', `/workflows/${workflowId}/activate`, { versionId: workflow.versionId });
		},
		deactivateWorkflow: async (workflowId) => rest('POST', `/workflows/${workflowId}/deactivate`, {}),
		/** Executions, newest first (each without its data unless includeData). */
		executions: async ({ workflowId = undefined, includeData = false } = {}) => {
			const filter = workflowId ? `?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}` : '';
			const list = (await rest('GET', `/executions${filter}`)).results;
			if (!includeData) return list;
			return Promise.all(list.map((execution) => rest('GET', `/executions/${execution.id}`)));
		},
	});
}

module.exports = { OWNER, login, setupOwner, addRestCalls };
