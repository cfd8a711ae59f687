/**
 * Uploads a file as the body of a POST with XMLHttpRequest rather than
 * fetch: only XHR reports upload progress, and its `progress` events expose
 * a streamed response (the commit's NDJSON) as it arrives.
 */

export interface UploadResponse {
  status: number;
  text: string;
}

export function uploadFile({
  url,
  file,
  onUploadProgress,
  onResponseText,
}: {
  url: string;
  file: File;
  /** 0..1 of the file sent. */
  onUploadProgress?: (fraction: number) => void;
  /** The response text received so far (called as it grows). */
  onResponseText?: (text: string) => void;
}): Promise<UploadResponse> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("content-type", "text/csv");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onUploadProgress?.(event.loaded / event.total);
    };
    xhr.upload.onload = () => onUploadProgress?.(1);
    xhr.onprogress = () => onResponseText?.(xhr.responseText);
    xhr.onload = () => {
      onResponseText?.(xhr.responseText);
      resolve({ status: xhr.status, text: xhr.responseText });
    };
    xhr.onerror = () => reject(new Error("The connection to the server failed. Check your network and try again."));
    xhr.ontimeout = () => reject(new Error("The server took too long to answer. Try again."));
    xhr.send(file);
  });
}

/** Complete lines of an NDJSON text parsed from `from`; returns them and where the next read starts. */
export function readNdjson<T>(text: string, from: number): { events: T[]; next: number } {
  const events: T[] = [];
  let start = from;
  for (let end = text.indexOf("\n", start); end >= 0; end = text.indexOf("\n", start)) {
    const line = text.slice(start, end).trim();
    if (line) events.push(JSON.parse(line) as T);
    start = end + 1;
  }
  return { events, next: start };
}
