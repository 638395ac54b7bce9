import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

export class GupshupApi implements ICredentialType {
	name = 'gupshupApi';

	displayName = 'Gupshup API';

	icon: Icon = { light: 'file:gupshup.svg', dark: 'file:gupshup.dark.svg' };

	documentationUrl = 'https://docs.gupshup.io/docs/how-to-get-the-api-key';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Gupshup dashboard: your profile, API Key',
		},
		{
			displayName: 'Source Number',
			name: 'sourceNumber',
			type: 'string',
			default: '',
			required: true,
			placeholder: '+917834811114',
			description: 'The WhatsApp business number of the app, with country code',
		},
		{
			displayName: 'App Name',
			name: 'appName',
			type: 'string',
			default: '',
			required: true,
			description: 'The Gupshup app name, sent as src.name',
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			placeholder: 'bf9ee64c-3d4d-4ac4-8668-732e577007c4',
			description:
				'The app’s ID (a UUID in the Gupshup dashboard, under the app’s settings; not its name). The WhatsApp Status Trigger needs it to register its callback URL with Gupshup; when set, the credential test checks it.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.gupshup.io',
			description: 'Change only for a proxy or a local sandbox',
		},
		{
			displayName: 'Webhook Token',
			name: 'webhookToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'A shared secret for the WhatsApp Status Trigger. Gupshup signs nothing: add it to the callback URL as ?token=… or send it in an X-Webhook-Token header.',
		},
	];

	// A function rather than n8n's declarative form, which evaluates one expression per property
	// for every request (a data proxy and Luxon dates each time; far more in n8n 2.39's vm engine).
	authenticate = async (credentials: ICredentialDataDecryptedObject, request: IHttpRequestOptions): Promise<IHttpRequestOptions> => ({
		...request,
		headers: { ...request.headers, apikey: String(credentials.apiKey ?? '') },
	});

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			// With an App ID (which the Status Trigger's automatic registration needs), the app's
			// subscriptions: a wrong App ID, or a key that does not own the app, fails here, not at publishing.
			url: '={{$credentials.appId ? "/wa/app/" + encodeURIComponent($credentials.appId.trim()) + "/subscription" : "/sm/api/v2/wallet/balance"}}',
			method: 'GET',
			// A redirect elsewhere must not take the credential with it.
			disableFollowRedirect: true,
		},
	};
}
