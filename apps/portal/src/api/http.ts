/** Typed results for every API call: the UI shows loading / empty / error / not-available states. */
export type ApiResult<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'unavailable' }
  | { kind: 'unauthorised' }
  | { kind: 'error'; status: number; message: string };

export async function requestJson<T>(path: string, init: RequestInit = {}): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      credentials: 'same-origin',
      ...init,
      headers: {
        accept: 'application/json',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
    });
  } catch (error) {
    return { kind: 'error', status: 0, message: (error as Error).message };
  }
  if (response.status === 404 || response.status === 501) return { kind: 'unavailable' };
  if (response.status === 401 || response.status === 403) return { kind: 'unauthorised' };
  if (!response.ok) return { kind: 'error', status: response.status, message: await messageOf(response) };
  const text = await response.text();
  return { kind: 'ok', value: (text ? JSON.parse(text) : undefined) as T };
}

/** The Dutch text of an OperationOutcome answer (what the node says went wrong), else the status text. */
async function messageOf(response: Response): Promise<string> {
  try {
    const outcome = (await response.json()) as {
      issue?: { details?: { text?: string }; diagnostics?: string }[];
    };
    return outcome.issue?.[0]?.details?.text ?? outcome.issue?.[0]?.diagnostics ?? response.statusText;
  } catch {
    return response.statusText;
  }
}
