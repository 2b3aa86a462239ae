/** Where Twilio fetches a voice page, and where the crew member's keypress goes. One step of one incident each. */
export function voicePageUrl(publicUrl: string, reference: string, step: number): string {
  return `${publicUrl}/twilio/page?ref=${reference}&step=${step}`;
}

export function voicePageAnswerUrl(publicUrl: string, reference: string, step: number): string {
  return `${publicUrl}/twilio/page/answer?ref=${reference}&step=${step}`;
}
