/** Smooch's API: its hosts (one per region, or the credential's own Base URL) and the ids that go into its paths. */

import { apiBaseUrl } from '../shared/apiBaseUrl';
import type { ProviderSettings } from '../shared/types';

const SMOOCH_REGION_HOSTS: Record<string, string> = {
	us: 'https://api.smooch.io',
	eu: 'https://api.eu-1.smooch.io',
};

/** The API host for a credential: a region's, or the custom Base URL (Zendesk subdomain, proxy, sandbox). */
export function smoochBaseUrl(settings: ProviderSettings): string {
	if (settings.region === 'custom' && !settings.baseUrl) {
		// Never a region's host in its place: the credential would go to a host the user did not choose.
		throw new Error('the credential’s Region is Custom Host but its Base URL is empty: fill it in, or choose a region');
	}
	const host =
		settings.region === 'custom' ? settings.baseUrl : SMOOCH_REGION_HOSTS[settings.region ?? 'us'];
	return apiBaseUrl(host, SMOOCH_REGION_HOSTS.us);
}

/** Smooch's app and integration ids: letters, digits, `_` and `-` (they go into the URL path). */
export const SMOOCH_ID = /^[A-Za-z0-9_-]{1,64}$/;
