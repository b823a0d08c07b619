// Offers text as a file download, made in the browser (a Blob URL revoked
// straight after): the GP's .ics files and the mentor's encrypted notes
// export never pass through the server.
export function offerDownload(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  try {
    a.click();
  } finally {
    a.remove();
    // After the click has started the download.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
