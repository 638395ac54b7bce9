import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/** Resolves the API host the same way nodes/providers/smooch.ts does, for the credential test. */
const API_HOST =
	'={{ $credentials.region === "custom" ? $credentials.baseUrl.replace(/\\/+$/, "") : ($credentials.region === "eu" ? "https://api.eu-1.smooch.io" : "https://api.smooch.io") }}';

export class SmoochApi implements ICredentialType {
	name = 'smoochApi';

	displayName = 'Smooch (Sunshine Conversations) API';

	icon: Icon = { light: 'file:smooch.svg', dark: 'file:smooch.dark.svg' };

	documentationUrl = 'https://docs.smooch.io/guide/creating-an-api-key/';

	properties: INodeProperties[] = [
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			description: 'In Zendesk Admin Center: Apps and integrations, Conversations API; or the Smooch dashboard, Settings',
		},
		{
			displayName: 'Key ID',
			name: 'keyId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'app_5f...',
			description: 'The ID of an app-scoped API key (Conversations API, Create API key)',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The secret shown once when the API key was created',
		},
		{
			displayName: 'Integration ID',
			name: 'integrationId',
			type: 'string',
			default: '',
			required: true,
			description: 'The ID of the WhatsApp integration (channel) that sends the messages',
		},
		{
			displayName: 'Template Namespace',
			name: 'templateNamespace',
			type: 'string',
			default: '',
			placeholder: 'c8ae5f90_307a_ca4c_b8f6_d1e2a2573574',
			description:
				'The WhatsApp Business Account’s message template namespace, needed to send templates (WhatsApp Manager shows it with your message templates). A message can use another with _config.templateNamespace.',
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'United States', value: 'us', description: 'https://api.smooch.io' },
				{ name: 'European Union', value: 'eu', description: 'https://api.eu-1.smooch.io' },
				{
					name: 'Custom Host',
					value: 'custom',
					description: 'A Zendesk subdomain (https://{subdomain}.zendesk.com/sc), a proxy or a local sandbox',
				},
			],
			default: 'us',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://mycompany.zendesk.com/sc',
			description: 'The API host for Custom Host: a Zendesk subdomain, a proxy or a local sandbox',
			displayOptions: { show: { region: ['custom'] } },
		},
		{
			displayName: 'Webhook Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The secret of the webhook that points at the WhatsApp Status Trigger. Smooch sends it in the X-API-Key header; the trigger rejects calls without it.',
		},
	];

	// A function rather than n8n's declarative form, which evaluates one expression per property
	// for every request (a data proxy and Luxon dates each time; far more in n8n 2.39's vm engine).
	authenticate = async (credentials: ICredentialDataDecryptedObject, request: IHttpRequestOptions): Promise<IHttpRequestOptions> => ({
		...request,
		auth: { username: String(credentials.keyId ?? ''), password: String(credentials.secret ?? '') },
	});

	test: ICredentialTestRequest = {
		request: {
			baseURL: API_HOST,
			url: '=/v1.1/apps/{{$credentials.appId}}/webhooks',
			method: 'GET',
			// A redirect elsewhere must not take the credential with it.
			disableFollowRedirect: true,
		},
	};
}
