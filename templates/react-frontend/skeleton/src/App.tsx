import { useState } from 'react';

// JSON-encoded by the template, so any characters are safe here.
const title = ${{ values.name | dump }};
const description = ${{ values.description | dump }};

export function App() {
  const [count, setCount] = useState(0);

  return (
    <main>
      <h1>{title}</h1>
      <p>{description}</p>
      <button type="button" onClick={() => setCount((c) => c + 1)}>
        Clicked {count} {count === 1 ? 'time' : 'times'}
      </button>
    </main>
  );
}
