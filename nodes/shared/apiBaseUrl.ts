/** A provider's API base URL: the credential's Base URL when set, else the public host; no trailing slash. */
export function apiBaseUrl(configured: string | undefined, publicHost: string): string {
	return (configured || publicHost).replace(/\/+$/, '');
}
