/** Twilio's API: the Messaging API's host, and the services' (Content API, Event Streams) on hosts of their own. */

import { apiBaseUrl } from '../shared/apiBaseUrl';
import type { ProviderSettings } from '../shared/types';

export const TWILIO_DEFAULT_BASE_URL = 'https://api.twilio.com';

/**
 * Templates (the Content API) and Event Streams live on their own hosts; a proxy or sandbox Base
 * URL (not on twilio.com) serves them too.
 */
export function serviceBaseUrl(settings: ProviderSettings, serviceHost: string): string {
	const base = apiBaseUrl(settings.baseUrl, TWILIO_DEFAULT_BASE_URL);
	return /^https:\/\/([a-z0-9-]+\.)*twilio\.com$/i.test(base) ? serviceHost : base;
}
