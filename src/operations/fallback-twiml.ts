import twilio from "twilio";

const { VoiceResponse } = twilio.twiml;

/** Twilio `<Say>` settings, as the main flow names them. */
export interface SayVoice {
  voice?: string | undefined;
  language: string;
}

/**
 * The TwiML for the number's fallback URL, which Twilio requests when the line cannot answer at
 * all (its host is down, it answers an error or nothing). It is served from elsewhere (a Twilio
 * TwiML Bin, a static file host), so it is a fixed document: it cannot know the hour, the queues
 * or anything in Redis, and must be right at any hour. So it sends every caller to a person who
 * answers at any hour, the number in `FALLBACK_NUMBER`, rather than to an agent queue that nobody
 * takes at night; without one, it apologises and asks the caller to call again. The 9-1-1
 * sentence comes first, before any wait.
 *
 * @example renderStaticFallback({ fallbackNumber: "+14035550199", voice: { language: "en-US" } })
 */
export function renderStaticFallback(options: { fallbackNumber: string | undefined; voice: SayVoice }): string {
  const response = new VoiceResponse();
  const say = { language: options.voice.language, ...(options.voice.voice ? { voice: options.voice.voice } : {}) } as Parameters<typeof response.say>[0];
  response.say(say, "We're sorry, the City's phone system is having trouble.");
  response.say(say, "If this is a life-threatening emergency, hang up and dial 9-1-1.");
  if (options.fallbackNumber) {
    response.say(say, "Please hold while we connect you to City staff.");
    // No action URL: it would point at the line that is failing. When the call ends, the caller
    // hears the sentence below (after a conversation too, so it says nothing of what happened).
    response.dial({ timeout: 30, answerOnBridge: true }, options.fallbackNumber);
    response.say(say, "If you still need help, please call again in a few minutes. Goodbye.");
  } else {
    response.say(say, "Please call again in a few minutes. Goodbye.");
  }
  response.hangup();
  return response.toString();
}
