# One image for every atlas-audit service: Node.js 24 runs the TypeScript sources directly.
FROM node:24-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY shared/package.json shared/
COPY test/package.json test/
COPY dashboards/package.json dashboards/
COPY services/atlas-sim/package.json services/atlas-sim/
COPY services/cli/package.json services/cli/
COPY services/detect/package.json services/detect/
COPY services/indexer/package.json services/indexer/
COPY services/ingest/package.json services/ingest/
COPY services/review/package.json services/review/
COPY services/siem/package.json services/siem/
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production HTTP_HOST=0.0.0.0 HTTP_PORT=9464
USER node
CMD ["node", "services/cli/src/main.ts", "help"]
