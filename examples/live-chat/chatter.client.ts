/**
 * The live chat's browser side: the `Chatter` widget. Compiled for the browser by the `LivePage` and loaded
 * when a chatter appears on the page.
 * @module
 */
import { Widget, expose } from 'torsion/live/client';

export class Chatter extends Widget {
  /** Handles the login form: asks the server for the name. */
  login(): boolean {
    const input = this.nodeById<HTMLInputElement>('name');
    this.callRemote<string[]>('setUsername', input.value).then(
      (others) => {
        this.nodeById('login').hidden = true;
        this.nodeById('talk').hidden = false;
        this.nodeById('error').textContent = '';
        this.displayNotice(others.length === 0 ? 'you are alone here' : `here: ${others.join(', ')}`);
        this.nodeById<HTMLInputElement>('text').focus();
      },
      (e: Error) => {
        this.nodeById('error').textContent = e.message;
      },
    );
    return false; // no form submission
  }

  /** Handles the message form. */
  say(): boolean {
    const input = this.nodeById<HTMLInputElement>('text');
    if (input.value !== '') void this.callRemote('say', input.value);
    input.value = '';
    return false;
  }

  /** Called by the server for each message in the room. */
  @expose
  displayMessage(user: string, text: string): void {
    const li = document.createElement('li');
    const who = document.createElement('b');
    who.textContent = user;
    li.append(who, `: ${text}`);
    this.nodeById('log').appendChild(li);
  }

  /** Called by the server for joins and leaves. */
  @expose
  displayNotice(text: string): void {
    const li = document.createElement('li');
    li.className = 'notice';
    li.textContent = `* ${text}`;
    this.nodeById('log').appendChild(li);
  }
}
