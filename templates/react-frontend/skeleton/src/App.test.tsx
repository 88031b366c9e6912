import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from './App';

afterEach(cleanup);

describe('App', () => {
  it('shows the component name', () => {
    render(<App />);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(${{ values.name | dump }});
  });

  it('counts clicks', () => {
    render(<App />);
    const button = screen.getByRole('button');
    expect(button.textContent).toBe('Clicked 0 times');
    fireEvent.click(button);
    expect(button.textContent).toBe('Clicked 1 time');
  });
});
